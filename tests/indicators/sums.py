"""Sums worked out by hand from the `world` fixture, to check pages and files against."""


def expected(world, *, year=None, start=None, end=None, initiative=None, audience=None):
    """What a careful person would add up by hand from the events above."""
    people = women = known = 0
    events = set()
    for index, (event_initiative, date, _, _, lines) in enumerate(world["rows"]):
        if (year and date.year != year) or (start and date < start) or (end and date > end):
            continue
        if initiative and event_initiative != world[initiative]:
            continue
        for line_audience, line_people, line_women in lines:
            if audience and line_audience != world[audience]:
                continue
            events.add(index)
            people += line_people
            if line_women is not None:
                women += line_women
                known += line_people
    return {"people": people, "women": women, "known": known, "events": len(events)}
