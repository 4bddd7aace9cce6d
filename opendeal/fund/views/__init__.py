"""The fund's pages, one module per part; `opendeal/fund/urls.py` joins their `urlpatterns`."""
