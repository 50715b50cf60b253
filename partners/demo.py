"""Demo partners around Moulins, Montluçon and Vichy, with prices from DOMAIN.md §3."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.demo import DemoContext
from accounts.enums import OrganisationKind
from accounts.models import Organisation
from core.models import Commune
from partners.enums import BookingMode, ClosureReason, PartnerCategory, PartnerStatus
from partners.models import AvailabilityRule, Closure, Partner, PartnerAgreement, Service
from partners.slots import slots_regenerate_many

D = Decimal
WEEKDAYS = [0, 1, 2, 3, 4]
MON_SAT = [0, 1, 2, 3, 4, 5]
TUE_SAT = [1, 2, 3, 4, 5]

# Extra partners (the four main ones are the demo accounts' organisations).
EXTRA_ORGANISATIONS = {
    "garage_vichy": ("Garage solidaire Vichy Entraide", "Vichy", "03200", "46.131000", "3.419500"),
    "velo_montlucon": ("Vélo Solidaire Montluçon", "Montluçon", "03100", "46.344500", "2.607000"),
}

# key → profile
PARTNERS = {
    "garage": {
        "category": PartnerCategory.GARAGE,
        "address": "14 rue des Faucheroux",
        "description": "Garage associatif : réparations à prix solidaire, pièces d'occasion "
        "garanties, conseils pour entretenir son véhicule. Adhésion 20 € par an.",
        "opening_hours": "Du lundi au vendredi, 8 h 30 – 12 h 30 et 13 h 30 – 17 h 30",
        "wheelchair_accessible": True,
        "languages": ["fr", "pt"],
        "service_radius_km": 40,
    },
    "rental": {
        "category": PartnerCategory.RENTAL,
        "address": "3 rue de Paris",
        "description": "Location solidaire de voitures, scooters et vélos électriques pour aller "
        "au travail, en formation ou à un entretien. Caution encaissée seulement en cas de "
        "dommage.",
        "opening_hours": "Du lundi au samedi, 9 h – 18 h",
        "wheelchair_accessible": True,
        "languages": ["fr", "en"],
        "service_radius_km": 50,
    },
    "transport": {
        "category": PartnerCategory.TRANSPORT,
        "address": "9 boulevard de Russie",
        "description": "Des chauffeurs bénévoles vous conduisent à un entretien, une formation "
        "ou un rendez-vous, jusqu'à 100 km. Adhésion 2 € par an.",
        "opening_hours": "Du lundi au vendredi, 8 h – 18 h, sur réservation",
        "wheelchair_accessible": False,
        "accessibility_notes": "Véhicule sans rampe ; aide à la montée possible.",
        "languages": ["fr"],
        "service_radius_km": 100,
    },
    "school": {
        "category": PartnerCategory.DRIVING_SCHOOL,
        "address": "22 cours Anatole France",
        "description": "Auto-école sociale : code et conduite à votre rythme, avec une "
        "pédagogie adaptée aux personnes éloignées de l'écrit.",
        "opening_hours": "Du lundi au samedi, 9 h – 12 h et 14 h – 18 h",
        "wheelchair_accessible": True,
        "languages": ["fr", "ar"],
        "service_radius_km": 30,
    },
    "garage_vichy": {
        "category": PartnerCategory.GARAGE,
        "address": "5 rue de l'Industrie",
        "description": "Garage solidaire : réparations et entretien à tarif réduit.",
        "opening_hours": "Du mardi au samedi, 9 h – 17 h",
        "wheelchair_accessible": False,
        "languages": ["fr"],
        "service_radius_km": 30,
    },
    "velo_montlucon": {
        "category": PartnerCategory.RENTAL,
        "address": "2 avenue de la Gare",
        "description": "Location de vélos à assistance électrique pour les trajets domicile – "
        "travail.",
        "opening_hours": "Du lundi au vendredi, 9 h – 17 h",
        "wheelchair_accessible": True,
        "languages": ["fr"],
        "service_radius_km": 15,
    },
}

# (partner key, name, unit, solidarity, market, deposit, mode, extra) + rules
# rule: (weekdays, start, end, slot minutes, capacity)
SERVICES = [
    ("garage", "Main-d'œuvre mécanique", "hour", "35.00", "65.00", "0", BookingMode.SLOT,
     {"eligibility_note": "Quotient familial inférieur ou égal à 750 €."},
     [(WEEKDAYS, time(8, 30), time(12, 30), 60, 2), (WEEKDAYS, time(13, 30), time(17, 30), 60, 2)]),
    ("garage", "Diagnostic avant contrôle technique", "flat", "25.00", "60.00", "0",
     BookingMode.SLOT, {"auto_confirm": True},
     [([1, 3], time(14), time(17), 30, 1)]),
    ("rental", "Voiture — location solidaire", "day", "5.00", "35.00", "400.00",
     BookingMode.PERIOD,
     {"description": "Citadine 5 places. Aussi 25 € la semaine ou 90 € le mois.",
      "eligibility_note": "Permis B valide. Durée de 15 jours à 3 mois.", "min_notice_hours": 48},
     [(MON_SAT, time(9), time(18), 0, 3)]),
    ("rental", "Scooter 50 cm³", "day", "3.00", "25.00", "300.00", BookingMode.PERIOD,
     {"eligibility_note": "Permis AM (BSR) ou permis B."},
     [(MON_SAT, time(9), time(18), 0, 4)]),
    ("rental", "Vélo à assistance électrique", "day", "2.00", "15.00", "150.00",
     BookingMode.PERIOD, {"auto_confirm": True, "description": "Aussi 30 € le mois."},
     [(MON_SAT, time(9), time(18), 0, 6)]),
    ("transport", "Trajet avec chauffeur bénévole", "km", "0.35", "1.80", "0", BookingMode.SLOT,
     {"description": "Prix au kilomètre parcouru avec la personne. Trajets jusqu'à 100 km.",
      "min_notice_hours": 48},
     [(WEEKDAYS, time(8), time(18), 60, 2)]),
    ("school", "Leçon de conduite", "hour", "20.00", "43.00", "0", BookingMode.SLOT, {},
     [(MON_SAT, time(9), time(12), 60, 1), (MON_SAT, time(14), time(18), 60, 1)]),
    ("school", "Forfait code + 30 h de conduite", "flat", "350.00", "1800.00", "0",
     BookingMode.SLOT,
     {"description": "Rendez-vous d'inscription : évaluation de départ et planning.",
      "eligibility_note": "Projet professionnel nécessitant le permis B."},
     [([2], time(14), time(16), 60, 2)]),
    ("garage_vichy", "Main-d'œuvre mécanique", "hour", "30.00", "62.00", "0", BookingMode.SLOT,
     {}, [(TUE_SAT, time(9), time(12), 60, 1), (TUE_SAT, time(13), time(17), 60, 1)]),
    ("velo_montlucon", "Vélo à assistance électrique", "day", "2.00", "15.00", "100.00",
     BookingMode.PERIOD, {"auto_confirm": True},
     [(WEEKDAYS, time(9), time(17), 0, 8)]),
]  # fmt: skip


def _organisations(ctx: DemoContext) -> dict[str, Organisation]:
    orgs = {key: ctx.organisations[key] for key in ("garage", "rental", "transport", "school")}
    for key, (name, commune, postcode, lat, lon) in EXTRA_ORGANISATIONS.items():
        orgs[key], _ = Organisation.objects.update_or_create(
            kind=OrganisationKind.PARTNER,
            name=name,
            defaults={
                "commune": commune, "postcode": postcode, "latitude": D(lat),
                "longitude": D(lon), "territory": "03", "platform": ctx.platform,
            },
        )  # fmt: skip
    return orgs


def seed_partners(ctx: DemoContext) -> dict[str, Partner]:
    today = timezone.localdate()
    orgs = _organisations(ctx)
    partners = {}
    for key, profile in PARTNERS.items():
        profile = dict(profile)
        organisation = orgs[key]
        organisation.address = profile.pop("address")
        organisation.save(update_fields=["address", "updated_at"])
        partners[key], _ = Partner.objects.update_or_create(
            organisation=organisation, defaults={**profile, "status": PartnerStatus.PUBLISHED}
        )
        if key == "transport":  # volunteer drivers pick people up around Vichy
            partners[key].service_area.set(
                Commune.objects.filter(
                    insee_code__in=["03310", "03095", "03023", "03001", "03092", "03264"]
                )
            )
        PartnerAgreement.objects.get_or_create(
            partner=partners[key], platform=ctx.platform, defaults={"since": today.replace(day=1)}
        )
    service_ids = []
    for key, name, unit, solidarity, market, deposit, mode, extra, rules in SERVICES:
        partner = partners[key]
        service, _ = Service.objects.update_or_create(
            partner=partner,
            name=name,
            defaults={
                "category": partner.category, "unit": unit, "solidarity_price": D(solidarity),
                "market_price": D(market), "deposit": D(deposit), "booking_mode": mode,
                "published": True, **extra,
            },
        )  # fmt: skip
        service_ids.append(service.pk)
        for weekdays, start, end, minutes, capacity in rules:
            AvailabilityRule.objects.get_or_create(
                service=service, weekdays=weekdays, start_time=start, end_time=end,
                defaults={
                    "slot_minutes": minutes or 60, "capacity": capacity, "valid_from": today,
                    "valid_until": today + timedelta(days=60),
                },
            )  # fmt: skip
    _seed_closures(partners, today)
    slots_regenerate_many(service_ids)
    return partners


def _seed_closures(partners: dict[str, Partner], today) -> None:
    paris = ZoneInfo("Europe/Paris")
    year = today.year if today.month < 12 or today.day < 24 else today.year + 1
    Closure.objects.get_or_create(
        partner=partners["garage"], service=None, reason=ClosureReason.HOLIDAYS,
        starts_at=datetime(year, 12, 24, tzinfo=paris),
        defaults={"ends_at": datetime(year + 1, 1, 2, tzinfo=paris),
                  "note": "Fêtes de fin d'année"},
    )  # fmt: skip
    car = partners["rental"].services.get(name="Voiture — location solidaire")
    monday = today + timedelta(days=7 - today.weekday())
    Closure.objects.get_or_create(
        partner=partners["rental"], service=car, reason=ClosureReason.REPAIR,
        starts_at=datetime.combine(monday, time(0), tzinfo=paris),
        defaults={
            "ends_at": datetime.combine(monday + timedelta(days=5), time(0), tzinfo=paris),
            "capacity": 1, "note": "Deux voitures au garage",
        },
    )  # fmt: skip
