"""The referral kit (issue 16): one A4 page a prescriber pins up or hands out — the
platform's contacts, what it helps with, and a QR code to the public « Être rappelé·e »
page of this platform (`/etre-rappele/<slug>/`). Pure: no writes, no HTTP."""

from io import BytesIO

import qrcode
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from beneficiaries.enums import HelpKind
from beneficiaries.services_self_referral import platform_slug

PAGE_W, PAGE_H = A4
MARGIN = 50
REGULAR, BOLD = "Helvetica", "Helvetica-Bold"
BRAND = (0.12, 0.37, 0.55)
INK = (0.1, 0.1, 0.1)


def self_referral_url(platform) -> str:
    return settings.SITE_URL + reverse("self_referral_platform", args=[platform_slug(platform)])


def prescriber_form_url() -> str:
    return settings.SITE_URL + reverse("referral_new")


def _plain(text: str) -> str:
    """What Helvetica's encoding can print (narrow spaces and typographic dashes simplified)."""
    for odd, plain in (("\u202f", " "), ("\u00a0", " "), ("\u2011", "-"), ("\u2013", "-"),
                       ("·", "-")):  # fmt: skip
        text = text.replace(odd, plain)
    return text


def _lines(text: str, font: str, size: float, width: float) -> list[str]:
    lines, current = [], ""
    for word in _plain(text).split(" "):
        candidate = f"{current} {word}".strip()
        if current and stringWidth(candidate, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return [*lines, current]


def _qr(text: str) -> bytes:
    image = qrcode.make(text, error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def referral_kit_pdf(platform, *, advisers: list) -> bytes:
    """The kit of `platform`; `advisers`: (name, e-mail, phone) to call, at most three."""
    buffer = BytesIO()
    c = Canvas(buffer, pagesize=A4, pageCompression=0)  # text stays searchable (tests)
    c.setTitle(_plain(_("Kit d'orientation — %(name)s") % {"name": platform.name}))
    c.setAuthor("Solimob")
    y = PAGE_H - MARGIN

    def write(text, *, size=12, font=REGULAR, color=INK, gap=5, width=PAGE_W - 2 * MARGIN):
        nonlocal y
        for line in _lines(str(text), font, size, width):
            y -= size + gap
            c.setFont(font, size)
            c.setFillColorRGB(*color)
            c.drawString(MARGIN, y, line)

    write(platform.name, size=22, font=BOLD, color=BRAND)
    write(_("Des solutions pour se déplacer vers l'emploi et la formation"), size=14)
    y -= 10
    write(_("Nous aidons les personnes qui ont des difficultés pour se déplacer :"), font=BOLD)
    for kind in HelpKind:
        write(f"- {kind.label}")
    y -= 10
    url = self_referral_url(platform)
    qr_size = 150
    c.drawImage(ImageReader(BytesIO(_qr(url))), PAGE_W - MARGIN - qr_size, y - qr_size,
                qr_size, qr_size)  # fmt: skip
    text_width = PAGE_W - 2 * MARGIN - qr_size - 20
    write(_("La personne peut demander à être rappelée :"), font=BOLD, width=text_width)
    write(_("scannez le code avec un téléphone, ou allez sur"), width=text_width)
    write(url, size=10, width=text_width)
    y -= 8
    write(_("Vous êtes prescripteur ? Remplissez la fiche d'orientation :"), font=BOLD,
          width=text_width)  # fmt: skip
    write(prescriber_form_url(), size=10, width=text_width)
    y = min(y, PAGE_H - MARGIN - 330 - qr_size) - 20
    write(_("Nous contacter"), size=16, font=BOLD, color=BRAND)
    address = ", ".join(
        p for p in (platform.address, f"{platform.postcode} {platform.commune}".strip()) if p
    )
    if address:
        write(address)
    for name, email, phone in advisers[:3]:
        write(" - ".join(part for part in (name, phone, email) if part))
    y -= 10
    write(_("Les informations restent à la plateforme : elles servent seulement à "
            "accompagner la personne."), size=10)  # fmt: skip
    c.showPage()
    c.save()
    return buffer.getvalue()
