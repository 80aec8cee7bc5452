"""Ghana mobile numbers and mobile-money networks (phonenumbers' metadata and carrier data).

    parse_recipient("0241234561") -> Recipient(phone="+233241234561", network="MTN", detected="MTN", source="detected")
    parse_recipient("+233201234563", network="MTN") -> network "MTN", detected "TELECEL", ported=True

**Networks.** ``MTN`` (MTN MoMo), ``AT`` (AirtelTigo Money; phonenumbers calls the carrier "at"),
``TELECEL`` (Telecel Cash, formerly Vodafone Cash; phonenumbers: "Telecel"). Numbers of other
carriers (Expresso, government ranges) and prefixes phonenumbers does not know as mobile are
refused: they have no mobile-money wallet payrail can reach.

**Porting rules.** Ghana has had mobile number portability since 2011, so a number's prefix names
the network it was *issued* by, not necessarily the one that holds its wallet today. payrail
detects the network from the prefix (phonenumbers' carrier data, ``detected``) and uses it unless
the merchant names the network explicitly: an explicit network must be one of the three, the
number must still be a valid Ghana mobile number, and it wins (``source = "explicit"``); when it
differs from the prefix's network the recipient is marked ``ported``. Routing treats the network
in force as the recipient's home network (on-net).
"""
from __future__ import annotations

from dataclasses import dataclass

from payrail.core.errors import ValidationFailed

NETWORKS = ("MTN", "AT", "TELECEL")
#: phonenumbers' carrier name (English) -> payrail's network code
CARRIERS = {"MTN": "MTN", "at": "AT", "AirtelTigo": "AT", "Telecel": "TELECEL", "Vodafone": "TELECEL"}


@dataclass(frozen=True)
class Recipient:
    """A Ghana mobile-money recipient: ``phone`` in E.164, the network in force, the one its prefix
    names (``detected``), where the network came from (``detected`` / ``explicit``) and ``ported``."""

    phone: str
    network: str
    detected: str | None
    source: str
    ported: bool

    @property
    def national(self) -> str:
        """The national form (``0241234561``)."""
        return "0" + self.phone[4:]

    @property
    def msisdn(self) -> str:
        """The international digits without ``+`` (``233241234561``), as MTN and Airtel want them."""
        return self.phone[1:]


def parse_recipient(phone: str, network: str | None = None, param: str = "recipient.phone") -> Recipient:
    """Validate a Ghana mobile number given in E.164 (``+233…``) or national (``0…``) form.

    Raises:
        ValidationFailed (``param`` names the field): not a phone number, not Ghanaian, not a
            mobile number, or a carrier without a supported mobile-money network (and no explicit
            network); ``recipient.network`` when the explicit network is unknown.
    """
    import phonenumbers  # its metadata and carrier data on first use (~0.1 s of every cold start otherwise)
    from phonenumbers import PhoneNumberType, carrier

    try:
        number = phonenumbers.parse(phone, "GH")
    except phonenumbers.NumberParseException:
        raise ValidationFailed("recipient phone is not a phone number; give +233XXXXXXXXX or 0XXXXXXXXX",
                               param=param) from None
    if phonenumbers.region_code_for_number(number) != "GH" or not phonenumbers.is_valid_number(number):
        raise ValidationFailed("recipient phone is not a valid Ghana phone number", param=param)
    if phonenumbers.number_type(number) not in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise ValidationFailed("recipient phone is not a Ghana mobile number", param=param)
    detected = CARRIERS.get(carrier.name_for_number(number, "en"))
    if network is not None and network not in NETWORKS:
        raise ValidationFailed(f"network must be one of {', '.join(NETWORKS)}", param="recipient.network")
    if network is None and detected is None:
        raise ValidationFailed("recipient phone belongs to no mobile-money network payrail reaches "
                               f"({', '.join(NETWORKS)})", param=param)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    chosen = network or detected
    return Recipient(e164, chosen, detected, "explicit" if network else "detected",
                     ported=bool(network and detected and network != detected))
