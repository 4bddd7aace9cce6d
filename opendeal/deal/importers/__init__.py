"""Importers that bring outside data into the Deal, all or nothing."""
