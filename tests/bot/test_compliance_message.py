"""``/cumplimiento``'s answer for a liaison on many secretariats (R6, R15, R16): the
real template and splitter, on views computed by ``domain.compliance``.

Month by month, 120 secretariats would be 27 messages (about half a minute at Telegram's
pace in one chat); beyond ``DETAILED_UP_TO`` each secretariat gets its summary and the
months that failed, by name, and the public page has the rest.
"""

from __future__ import annotations

from datetime import date

from bot import messages
from domain import compliance as rules
from domain.agreements import Status
from domain.secretariat_settings import MinutesDeadline
from handlers.compliance import DETAILED_UP_TO
from handlers.microsite import SiteAddress
from storage.services.compliance import SecretariatCompliance

TODAY = date(2026, 12, 2)
ADDRESS = SiteAddress("https://stm.michoacan.example.mx", public=True, served=True)


def view(n: int) -> SecretariatCompliance:
    """A secretariat created in March with one ordinary session in October (minutes late),
    November without one, and an agreement past due."""
    record = rules.Record(
        created_on=date(2026, 3, 1),
        following_month=False,
        sessions=(
            rules.SessionHeld(date(2026, 10, 8), True, True, minutes_sent_on=date(2026, 11, 3)),
            rules.SessionHeld(date(2026, 9, 8), True, True),  # minutes never sent
        ),
        agreements=(rules.AgreementDue(date(2026, 11, 3), Status.EN_PROCESO),),
    )
    return SecretariatCompliance(
        id=n,
        name=f"Municipio <{n:03d}> & Cía",
        slug=f"municipio-{n:03d}",
        state="Michoacán",
        state_slug="michoacan",
        minutes_deadline=MinutesDeadline.MISMO_MES,
        today=TODAY,
        report=rules.compliance(record, TODAY),
    )


def render(views: list[SecretariatCompliance]) -> str:
    return messages.render(
        "compliance/cumplimiento",
        views=views,
        detailed=len(views) <= DETAILED_UP_TO,
        states=sorted({(v.state, v.state_slug) for v in views}),
        address=ADDRESS,
    )


def test_a_few_secretariats_month_by_month() -> None:
    text = render([view(1), view(2)])
    assert text.count("• noviembre de 2026: ⚠️ sin sesión ordinaria") == 2
    assert text.count("• octubre de 2026: 1 sesión ordinaria · actas: 1 fuera de plazo") == 2
    assert "• diciembre de 2026 (en curso): aún sin sesión ordinaria" in text
    assert "Municipio &lt;001&gt; &amp; Cía" in text  # names are escaped (HTML parse mode)
    assert "• Michoacán: https://stm.michoacan.example.mx/michoacan/cumplimiento" in text
    assert "PUBLIC_URL" not in text


def test_many_secretariats_name_the_months_that_failed() -> None:
    views = [view(n) for n in range(120)]
    text = render(views)
    parts = messages.split_message(text)
    assert all(len(part) <= 4096 for part in parts)
    assert len(parts) <= 12, len(parts)
    assert "• noviembre de 2026" not in text  # not month by month
    assert "el detalle mes por mes está en la página pública" in text
    assert text.count("⚠️ Sin sesión ordinaria: mar 2026, abr 2026, may 2026, jun 2026, ") == 120
    assert text.count("jul 2026, ago 2026, nov 2026\n") == 120
    assert text.count("⚠️ Actas vencidas de: sep 2026") == 120
    assert text.count("Actas fuera de plazo de: oct 2026") == 120
    assert text.count("acuerdos abiertos vencidos: 1") == 120
    # the public pages once, at the end, not once per secretariat
    assert text.count("/michoacan/cumplimiento") == 1
    # every secretariat, in order, none cut by the split in the middle of its name
    names = [f"STM de Municipio &lt;{n:03d}&gt; &amp; Cía" for n in range(120)]
    assert [name in "".join(parts) for name in names] == [True] * 120
