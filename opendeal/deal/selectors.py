"""Read-only queries for the public Deal pages and the API."""


def deal_summary() -> dict:
    return {}
