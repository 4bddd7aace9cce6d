"""Second factors for staff: an authenticator app (TOTP) and single-use backup codes.

Built on django-otp's TOTP and static devices. Nothing here takes a request: the views put a
verified device into the session with `django_otp.login`.
"""

import binascii
import re
from base64 import b32encode
from dataclasses import dataclass

import segno
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from opendeal.core import audit
from opendeal.core.models import User

BACKUP_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
BACKUP_CODES_NAME = "Backup codes"
_SPACES_AND_DASHES = re.compile(r"[\s-]+")
_TOO_MANY_ATTEMPTS = "You entered a wrong code too many times. Wait a moment, then try again"


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of checking a code: the device that accepted it, or why none did."""

    device: TOTPDevice | StaticDevice | None
    reason: str = ""

    @property
    def is_accepted(self) -> bool:
        return self.device is not None


def confirmed_authenticator(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def has_authenticator(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_secret_base32(device: TOTPDevice) -> str:
    """The secret as people type it into an authenticator app (RFC 4648 base32, no padding)."""
    return b32encode(device.bin_key).decode("ascii").rstrip("=")


def grouped_secret(device: TOTPDevice) -> str:
    """The secret in groups of four characters, easier to copy by hand."""
    secret = totp_secret_base32(device)
    return " ".join(secret[start : start + 4] for start in range(0, len(secret), 4))


def current_code(device: TOTPDevice) -> str:
    """The code the authenticator app shows now, zero-padded."""
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


def qr_code_svg(device: TOTPDevice) -> SafeString:
    """The device's otpauth:// address as an inline SVG QR code (no inline style, so the
    Content Security Policy allows it)."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5,
        dark="#0b0c0c",
        light="#ffffff",
        svgclass="opendeal-qr-code",
        title="QR code to add this service to your authenticator app",
    )
    # segno's markup is generated from the secret alone: no user text reaches it unescaped.
    return mark_safe(svg.replace("<svg ", '<svg role="img" focusable="false" ', 1))


def pending_authenticator(user: User) -> TOTPDevice:
    """The unconfirmed device shown on the set-up page: the same secret until it is confirmed,
    so reloading the page does not invalidate a QR code someone has already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def enrol_totp_device(user: User, key: str | None = None) -> TOTPDevice:
    """Give `user` one confirmed authenticator, replacing any they had. `key` is the secret
    hex-encoded as django-otp stores it (e.g. 40 hex digits); None makes a random one.
    For the demo loader and administrators' tooling: real staff enrol on the set-up page."""
    if key is not None:
        try:
            binascii.unhexlify(key)
        except (binascii.Error, ValueError) as error:
            raise ValueError("The key must be hex-encoded, e.g. 40 hex digits.") from error
    with transaction.atomic():
        existing = confirmed_authenticator(user)
        if existing is not None and key is not None and existing.key == key.lower():
            return existing
        TOTPDevice.objects.filter(user=user).delete()
        fields = {"key": key.lower()} if key is not None else {}
        device = TOTPDevice.objects.create(
            user=user, name=AUTHENTICATOR_NAME, confirmed=True, **fields
        )
        audit.record(user, "account.two_factor_enrolled", device)
    return device


def create_backup_codes(user: User) -> list[str]:
    """Replace the user's backup codes with BACKUP_CODE_COUNT new single-use ones. The codes are
    returned once, to show the user; django-otp keeps them to check against."""
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=BACKUP_CODES_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
        audit.record(user, "account.backup_codes_created", device, count=len(codes))
    return codes


def remaining_backup_codes(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def normalise_code(code: str) -> str:
    return _SPACES_AND_DASHES.sub("", code).lower()


def confirm_authenticator(user: User, device: TOTPDevice, code: str) -> CodeCheck:
    """Confirm a pending authenticator with the first code it shows. On success the device
    becomes the user's only authenticator."""
    if device.user_id != user.pk or device.confirmed:
        return CodeCheck(None, "Start setting up your authenticator app again.")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            return CodeCheck(None, _TOO_MANY_ATTEMPTS)
        if not device.verify_token(normalise_code(code)):
            return CodeCheck(None, "The code is not correct. Enter the code your app shows now")
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        audit.record(user, "account.two_factor_enrolled", device)
    return CodeCheck(device)


def check_code(user: User, code: str) -> CodeCheck:
    """Check a code from the user's authenticator app, or one of their backup codes (which is
    then used up). Each device slows down repeated wrong guesses (django-otp's throttling)."""
    code = normalise_code(code)
    devices: list[TOTPDevice | StaticDevice]
    with transaction.atomic():
        # Authenticator codes are 6 digits; backup codes are 8 letters and digits.
        if code.isdigit() and len(code) == 6:
            devices = list(TOTPDevice.objects.filter(user=user, confirmed=True).select_for_update())
        else:
            devices = list(
                StaticDevice.objects.filter(user=user, confirmed=True).select_for_update()
            )
        throttled = False
        for device in devices:
            allowed, _ = device.verify_is_allowed()
            if not allowed:
                throttled = True
                continue
            if device.verify_token(code):
                if isinstance(device, StaticDevice):
                    audit.record(user, "account.backup_code_used", device)
                return CodeCheck(device)
    if throttled:
        return CodeCheck(None, _TOO_MANY_ATTEMPTS)
    return CodeCheck(None, "The code is not correct. Check your app and try again")


def two_factor_summary(user: User) -> str:
    """How the user's second factor stands, in words for their account page."""
    if not user.needs_two_factor:
        return "Not needed for your role"
    if not has_authenticator(user):
        return "Not set up yet: you will set it up when you next sign in"
    return f"On, with an authenticator app ({remaining_backup_codes(user)} backup codes left)"
