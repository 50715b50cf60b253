"""The voucher of a booking (« bon de prise en charge », PDF) as bytes, plus the plain-French
phrases it shares with the pages and the calendar entries (`bookings.ics`).

Pure functions of the booking: no HTTP, no writes. Dates are read in the partner's time zone.
"""

import unicodedata
from datetime import date, time
from io import BytesIO
from zoneinfo import ZoneInfo

import qrcode
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from bookings import hooks
from bookings.wording import units_text
from core.formatting import NBSP, day_label, euros, hm, long_date, places_text, short_date
from partners.display import per_unit

# --- Plain French -----------------------------------------------------------------------------


def partner_tz(booking) -> ZoneInfo:
    return ZoneInfo(booking.service.partner.timezone)


def is_local_time_different(booking) -> bool:
    """True when the partner's clock is not the platform's (an overseas partner)."""
    return booking.service.partner.timezone != settings.TIME_ZONE


def clock_text(at: time) -> str:
    """« 9 h 30 », never cut at the end of a line."""
    return hm(at).replace(" ", NBSP)


def _day(day: date, today: date | None) -> str:
    """« mardi 3 mars » (this year's, when `today` is given) or « mardi 3 mars 2026 »."""
    return day_label(day, today) if today is not None else long_date(day)


def when_parts(booking, today: date | None = None) -> tuple[str, str]:
    """(« mardi 3 mars, 9 h 30 », « jusqu'à 10 h 30 ») in the partner's time zone; the end
    names its day when it is another one (« jusqu'au vendredi 6 mars, 18 h »)."""
    tz = partner_tz(booking)
    start, end = booking.starts_at.astimezone(tz), booking.ends_at.astimezone(tz)
    when = f"{_day(start.date(), today)}, {clock_text(start.time())}"
    if end.date() == start.date():
        until = _("jusqu'à %(time)s") % {"time": clock_text(end.time())}
    elif end.time() == time(0) and (end.date() - start.date()).days == 1:
        until = _("jusqu'à minuit")
    else:
        until = _("jusqu'au %(day)s, %(time)s") % {
            "day": _day(end.date(), today),
            "time": clock_text(end.time()),
        }
    return when, until


def when_sentence(booking, today: date | None = None) -> str:
    """« mardi 3 mars 2026, de 9 h 30 à 10 h 30 » or « du lundi 2 mars 2026, 9 h, au
    vendredi 6 mars 2026, 18 h », with « (heure locale) » for an overseas partner."""
    tz = partner_tz(booking)
    start, end = booking.starts_at.astimezone(tz), booking.ends_at.astimezone(tz)
    if end.date() == start.date():
        text = _("%(day)s, de %(start)s à %(end)s") % {
            "day": _day(start.date(), today),
            "start": clock_text(start.time()),
            "end": clock_text(end.time()),
        }
    else:
        text = _("du %(first)s, %(start)s, au %(last)s, %(end)s") % {
            "first": _day(start.date(), today),
            "start": clock_text(start.time()),
            "last": _day(end.date(), today),
            "end": clock_text(end.time()),
        }
    if is_local_time_different(booking):
        text += " " + _("(heure locale)")
    return text


def address_lines(organisation) -> list[str]:
    """[« 12 rue des Forges », « 03000 Moulins »], without the empty parts."""
    town = " ".join(filter(None, [organisation.postcode, organisation.commune]))
    return [line for line in (organisation.address, town) if line]


def directions_url(organisation) -> str | None:
    """An OpenStreetMap route to the place (the person chooses where from), when it has
    coordinates."""
    if organisation.latitude is None or organisation.longitude is None:
        return None
    return (
        "https://www.openstreetmap.org/directions?to="
        f"{organisation.latitude.normalize():f},{organisation.longitude.normalize():f}"
    )


def person_name(beneficiary) -> str:
    return f"{beneficiary.first_name} {beneficiary.last_name}".strip()


# --- Voucher (PDF) ----------------------------------------------------------------------------

PAGE_W, PAGE_H = A4
MARGIN = 50
LABEL_W = 150
INK, MUTED, BRAND = (0.106, 0.106, 0.122), (0.29, 0.29, 0.333), (0.043, 0.361, 0.678)
REGULAR, BOLD = "Helvetica", "Helvetica-Bold"
# Letters the PDF's standard fonts (Windows-1252) lack and that do not decompose into one
# they have (names may come from anywhere).
FALLBACK_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i", "ħ": "h"})


def pdf_text(text) -> str:
    """The text as Helvetica can print it: French accents, €, « » and · are kept; other
    letters lose their accents (ș → s); anything else becomes « ? »."""
    out = []
    for char in str(text).translate(FALLBACK_LETTERS):
        try:
            char.encode("cp1252")
            out.append(char)
            continue
        except UnicodeEncodeError:
            pass
        plain = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        try:
            plain.encode("cp1252")
            out.append(plain or "?")
        except UnicodeEncodeError:
            out.append("?")
    return "".join(out)


def qr_png(text: str) -> bytes:
    image = qrcode.make(text, error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines no wider than `width`, cut at plain spaces only (a no-break space keeps
    « 35,00 € » and « 9 h 30 » whole); a word longer than a line stands alone."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if current and stringWidth(candidate, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    lines.append(current)
    return lines


class _Writer:
    """Lines of text down an A4 page, with a new page when the space runs out."""

    def __init__(self, canvas: Canvas, top: float):
        self.c = canvas
        self.y = top

    def need(self, height: float) -> None:
        if self.y - height < MARGIN:
            self.c.showPage()
            self.y = PAGE_H - MARGIN

    def text(self, text, *, size=11, font=REGULAR, color=INK, gap=4, width=None) -> None:
        for line in wrap(pdf_text(text), font, size, width or PAGE_W - 2 * MARGIN):
            self.need(size + gap)
            self.y -= size + gap
            self.c.setFont(font, size)
            self.c.setFillColorRGB(*color)
            self.c.drawString(MARGIN, self.y, line)

    def heading(self, text) -> None:
        self.need(60)
        self.y -= 10
        self.text(text, size=14, font=BOLD, color=BRAND)
        self.y -= 5
        self.c.setStrokeColorRGB(*BRAND)
        self.c.setLineWidth(1)
        self.c.line(MARGIN, self.y, PAGE_W - MARGIN, self.y)
        self.y -= 2

    def row(self, label, value, *, strong=False) -> None:
        """« Label    value » on one or more lines; both columns wrap."""
        size = 13 if strong else 11
        font = BOLD if strong else REGULAR
        step, label_step = size + 5, 13
        labels = wrap(pdf_text(label), BOLD, 10, LABEL_W - 12)
        values = wrap(pdf_text(value), font, size, PAGE_W - 2 * MARGIN - LABEL_W)
        height = max(step + (len(labels) - 1) * label_step, step * len(values)) + 2
        self.need(height)
        top = self.y
        self.c.setFont(BOLD, 10)
        self.c.setFillColorRGB(*MUTED)
        for i, line in enumerate(labels):
            self.c.drawString(MARGIN, top - step - i * label_step, line)
        self.c.setFillColorRGB(*INK)
        self.c.setFont(font, size)
        for i, line in enumerate(values):
            self.c.drawString(MARGIN + LABEL_W, top - step * (i + 1), line)
        self.y = top - height


def voucher_pdf(booking) -> bytes:
    """The « bon de prise en charge » the person shows the partner: reference (text and QR
    code), person, partner, service, date, quantity, prices, saving, and what is covered and
    left to pay — never which programme, benefit or loan pays (every reader gets this one
    document: the person, their adviser, the partner)."""
    service = booking.service
    organisation = service.partner.organisation
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setTitle(pdf_text(_("Bon de prise en charge %(ref)s") % {"ref": booking.reference}))
    canvas.setAuthor("Solimob")
    canvas.setSubject(pdf_text(f"{service.name} — {organisation.name}"))

    top = PAGE_H - MARGIN
    canvas.setFillColorRGB(*MUTED)
    canvas.setFont(REGULAR, 10)
    canvas.drawString(MARGIN, top - 10, pdf_text(f"Solimob · {booking.platform.name}"))
    w = _Writer(canvas, top - 18)
    qr_size = 118
    beside_qr = PAGE_W - 2 * MARGIN - qr_size - 12
    w.text(_("Bon de prise en charge"), size=24, font=BOLD, gap=10, width=beside_qr)
    w.y -= 4
    w.text(_("À présenter au partenaire le jour du rendez-vous."), size=12, color=MUTED,
           width=beside_qr)  # fmt: skip
    w.y -= 12
    w.text(_("Référence"), size=11, font=BOLD, color=MUTED)
    w.text(booking.reference, size=32, font=BOLD, gap=8)
    w.y -= 6
    w.text(_("Statut : %(status)s") % {"status": booking.get_status_display()}, size=12,
           font=BOLD)  # fmt: skip
    canvas.drawImage(
        ImageReader(BytesIO(qr_png(booking.reference))),
        PAGE_W - MARGIN - qr_size, top - 24 - qr_size, qr_size, qr_size,
    )  # fmt: skip
    w.y = min(w.y, top - 24 - qr_size)

    w.heading(_("Rendez-vous"))
    w.row(_("Personne accompagnée"), person_name(booking.beneficiary), strong=True)
    w.row(_("Service"), service.name, strong=True)
    w.row(_("Date"), when_sentence(booking))
    w.row(_("Nombre de places"), places_text(booking.quantity))
    w.row(_("Quantité"), units_text(booking.units, booking.service.unit))

    w.heading(_("Partenaire"))
    w.row(_("Nom"), organisation.name, strong=True)
    w.row(_("Adresse"), ", ".join(address_lines(organisation)) or _("non renseignée"))

    w.heading(_("Prix"))
    unit = per_unit(service.unit)
    w.row(_("Prix du marché"), f"{euros(booking.market_total)} "
          f"({euros(booking.market_unit_price)} {unit})")  # fmt: skip
    w.row(_("Prix solidaire"), f"{euros(booking.total_price)} "
          f"({euros(booking.unit_price)} {unit})")  # fmt: skip
    w.row(_("Économie"), euros(booking.market_total - booking.total_price), strong=True)

    w.heading(_("Financement"))
    financing = hooks.voucher_financing_of(booking=booking)
    if financing is not None:
        w.row(_("Pris en charge"), euros(financing.covered))
        w.row(_("Reste à payer par la personne"), euros(financing.left_to_pay), strong=True)
        badge = hooks.payment_badges_of(bookings=[booking], viewer="voucher").get(booking.pk)
        if badge is not None and badge.paid > 0:
            w.row(_("Déjà payé en ligne par la personne"), euros(badge.paid))
    else:
        w.row(_("Montant à régler au partenaire"), euros(booking.total_price), strong=True)

    w.heading(_("Cadre réservé au partenaire"))
    w.need(60)
    w.y -= 20
    canvas.setFont(REGULAR, 11)
    canvas.setFillColorRGB(*INK)
    canvas.drawString(MARGIN, w.y, pdf_text(_("Service réalisé le : ____ / ____ / ________")))
    canvas.drawString(PAGE_W / 2 + 10, w.y, pdf_text(_("Cachet et signature :")))

    adviser = booking.beneficiary.adviser or booking.booked_by
    footer = [_("Document édité le %(day)s par Solimob.")
              % {"day": short_date(timezone.localdate())}]  # fmt: skip
    if adviser is not None:
        footer.insert(0, _("Conseiller·ère mobilité : %(name)s (%(platform)s)") % {
            "name": adviser.get_full_name() or adviser.email, "platform": booking.platform.name,
        })  # fmt: skip
    canvas.setFont(REGULAR, 9)
    canvas.setFillColorRGB(*MUTED)
    for i, line in enumerate(footer):
        canvas.drawString(MARGIN, MARGIN - 18 - 12 * i, pdf_text(line))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
