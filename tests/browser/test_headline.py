"""The dashboard's headline, its sentence and figures, is what a visitor sees
first: on a laptop and on a phone, without scrolling."""

import pytest

from tests.browser.pages import DASHBOARD

pytestmark = [pytest.mark.browser, pytest.mark.django_db, pytest.mark.anonymous]

SCREENS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 667}}


@pytest.fixture(scope="module")
def full_headline(site, django_db_blocker):
    """The longest headline, committed for the live server to see: this year's
    target, an event on the same date last year (the demo's events cover the last
    365 days), and an edited event (the demo's events, written in bulk, have no
    history for « mis à jour le » to read). Removed afterwards, for the other tests."""
    from django.utils import timezone

    from indicators.figures.stats import _year_earlier
    from indicators.models import AwarenessEvent
    from initiatives.models import ActionPlan
    from tests.indicators.factories import (
        AudienceCountFactory,
        AwarenessEventFactory,
        TargetFactory,
    )

    with django_db_blocker.unblock():
        plan = ActionPlan.objects.current()
        today = timezone.localdate()
        event = AwarenessEvent.objects.validated().first()
        target = TargetFactory(plan=plan, year=today.year, people=5000)
        last_year = AwarenessEventFactory(
            initiative=event.initiative,
            organizer=event.organizer,
            date=_year_earlier(today),
        )
        AudienceCountFactory(event=last_year, audience=event.counts.first().audience, people=900)
        event.save()
    yield
    with django_db_blocker.unblock():
        last_year.delete()
        target.delete()
        AwarenessEvent.history.filter(
            history_date__date=today, id__in=[event.pk, last_year.pk]
        ).delete()


# The longest headlines: four figures; the filters with the longest names.
PATHS = {
    DASHBOARD: ["people", "women-share", "progress", "change"],
    "/?initiative=elles-bougent-sciences-ingenieur-feminin&public=filles": [
        "people",
        "women-share",
    ],
}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("screen", SCREENS)
def test_the_headline_sits_inside_the_first_screen(visit, page, full_headline, screen, path):
    viewport = SCREENS[screen]
    page.set_viewport_size(viewport)
    visit(path)
    sentence = page.locator("#headline")
    figures = sentence.locator("[data-headline]")

    assert [figure.get_attribute("data-headline") for figure in figures.all()] == PATHS[path]
    for element in [sentence, *figures.all(), page.locator(".headline .updated")]:
        box = element.bounding_box()
        assert box is not None, element
        bottom = box["y"] + box["height"]
        assert box["y"] >= 0 and bottom <= viewport["height"], (
            f"{element} ends {bottom:.0f} px down at {viewport['width']} px wide"
        )
