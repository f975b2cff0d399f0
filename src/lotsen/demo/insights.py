"""Demo methods for the catalogue, with short and honest notes on what is known.

Idempotent: methods are found by name and left as they are when they exist, so an edited
note is never overwritten.
"""

from __future__ import annotations

from django.db import transaction

from lotsen.support.models import Method

METHODS = (
    {
        "name": "Motiverande samtal",
        "description": (
            "Ett samtalssätt där coachen hjälper den unga att själv formulera varför och hur "
            "en förändring kan ske, med öppna frågor, reflektioner och sammanfattningar."
        ),
        "target_group": "Unga 15–29 som är tveksamma till studier, arbete eller stöd",
        "sources": (
            "Miller & Rollnick, Motivational Interviewing (3:e uppl., 2013).\n"
            "Socialstyrelsen, Nationella riktlinjer för vård och stöd vid missbruk och "
            "beroende (MI som behandling)."
        ),
        "evidence_note": (
            "Stöd i forskningen för effekt på alkohol- och drogbruk. För unga som varken "
            "arbetar eller studerar är underlaget svagare: studierna är få och små, och "
            "effekten beror mycket på hur väl samtalen görs."
        ),
    },
    {
        "name": "Individuell studieplan med mentor",
        "description": (
            "En plan för vilka kurser som återstår, i vilken takt, med en mentor som följer "
            "upp varje vecka och tar kontakt vid frånvaro."
        ),
        "target_group": "Elever som har avbrutit eller riskerar att avbryta gymnasiet",
        "sources": (
            "Skolverket, Att motverka studieavbrott (2013).\n"
            "Check & Connect (University of Minnesota), utvärderat av What Works "
            "Clearinghouse."
        ),
        "evidence_note": (
            "Mentorsprogram med tät uppföljning av närvaro, som Check & Connect, har visat "
            "positiva effekter på att elever stannar i skolan i amerikanska studier. "
            "Svenska utvärderingar är få, och resultaten kan inte föras över utan vidare."
        ),
    },
    {
        "name": "Arbetsträning",
        "description": (
            "Träning på en riktig arbetsplats med handledare, några timmar i veckan till att "
            "börja med, som steg mot anställning eller studier."
        ),
        "target_group": "Unga 18–29 långt från arbetsmarknaden",
        "sources": "IFAU, rapporter om arbetsmarknadspolitiska program för unga.",
        "evidence_note": (
            "Blandat underlag. Arbetsplatsnära insatser ger oftare arbete än "
            "klassrumsutbildning, men effekten varierar mellan grupper och handledarens roll "
            "är viktig. Kort arbetsträning utan fortsättning ger lite."
        ),
    },
    {
        "name": "Navigator-coachning",
        "description": (
            "En coach som följer den unga över organisationsgränser: hjälper till att hitta "
            "rätt stöd, följer med till möten och håller ihop planen."
        ),
        "target_group": "Unga 16–29 som behöver stöd från flera aktörer",
        "sources": (
            "Navigatorcentrum, erfarenheter från ESF-projekt i Sverige.\n"
            "Utvärderingar av ESF-finansierade projekt för unga som varken arbetar eller "
            "studerar."
        ),
        "evidence_note": (
            "Uppskattat av unga och personal i projektutvärderingar, men det saknas studier "
            "med jämförelsegrupp. Det vi vet om effekten kommer från beskrivande uppföljning, "
            "som den här sidan."
        ),
    },
)


@transaction.atomic
def methods_demo_seed() -> int:
    """Add the demo methods that are missing; returns how many were added."""
    added = 0
    for fields in METHODS:
        _method, created = Method.objects.get_or_create(
            name=fields["name"], defaults={k: v for k, v in fields.items() if k != "name"}
        )
        added += created
    return added
