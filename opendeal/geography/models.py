"""Postcodes and where they are, from the ONS Postcode Directory (ONSPD).

Codes are kept as the ONSPD gives them, including its "no code" pseudo-codes such as
S99999999 (Scotland) or M99999999 (Isle of Man), so a row always says what the ONS said.
"""

from django.db import models


class Postcode(models.Model):
    # "WN1 1AA": upper case, one space before the three-character inward code.
    postcode = models.CharField(max_length=8, unique=True)
    # None when the ONSPD has no grid reference (it writes latitude 99.999999 then).
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    lsoa21_code = models.CharField("LSOA 2021 code", max_length=9, blank=True, db_index=True)
    ward_code = models.CharField(max_length=9, blank=True)
    local_authority_code = models.CharField(max_length=9, blank=True, db_index=True)
    # The first day of the month the postcode was terminated (ONSPD `doterm`, YYYYMM);
    # None while it is in use.
    terminated_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["postcode"]

    def __str__(self) -> str:
        return self.postcode

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None
