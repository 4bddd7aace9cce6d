"""Hourly limits on what anyone can make the service do without signing in: confirmation
emails to one address, registrations or problem reports from one network address.

Counts live in the cache (shared by every web server in production), keyed by a hash so the
cache holds neither email nor network addresses.
"""

import hashlib

from django.core.cache import cache

HOUR = 3600


def within_hourly_limit(bucket: str, who: str, limit: int) -> bool:
    """Count one more for `who` in `bucket` within the hour of its first; False once the
    count passes `limit`."""
    digest = hashlib.sha256(who.encode()).hexdigest()
    key = f"opendeal:{bucket}:{digest}"
    if cache.add(key, 1, timeout=HOUR):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: a new hour
        cache.add(key, 1, timeout=HOUR)
        return True
    return count <= limit
