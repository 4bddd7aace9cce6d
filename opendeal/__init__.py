"""OpenDeal: a citizen-led Deal for health and care, run by a council and its partners."""
