"""The actions of an import file that look like actions already entered, or like
another action of the same file: same date, commune, initiative and organiser
(AwarenessEvent.duplicate_key). Warnings, not errors: the preview lists them, and
the confirmation imports them knowingly.

Only an action the file creates, or one whose date, commune, initiative or
organiser it changes, is warned about, as the admin's form does; each is compared
with the events as they will be once the file is imported (an event the file
moves elsewhere no longer counts where it was). The recorded events are read in
one query per 200 dates, whatever the number of rows."""

from collections import defaultdict
from dataclasses import dataclass
from itertools import islice

from indicators.models import AwarenessEvent

# The preview names this many of the file's other actions per action, then counts
# the rest: a file of a thousand sessions on one day would list a million pairs.
SHOWN_IN_FILE = 5


@dataclass
class PossibleDuplicate:
    change: object  # the file's action (changes.EventChange)
    recorded: list  # recorded events with the same key, as the file leaves them
    new_with_key: list  # the file's new actions with that key, this one included if new

    @property
    def in_file(self):
        """The file's other new actions with the same key (the first few)."""
        others = (other for other in self.new_with_key if other is not self.change)
        return list(islice(others, SHOWN_IN_FILE))

    @property
    def in_file_count(self):
        return len(self.new_with_key) - (1 if self.change.is_new else 0)

    @property
    def more_in_file(self):
        return max(0, self.in_file_count - SHOWN_IN_FILE)


def possible_duplicates(result):
    """The PossibleDuplicate of each action of a checked import (changes.EventImport)
    that looks like another, in the order of the file's lines."""
    new, moved_here = defaultdict(list), defaultdict(list)
    for change in result.created:
        new[change.event.duplicate_key].append(change)
    for change in result.updated:
        moved_here[change.event.duplicate_key].append(change.event)
    warned = [
        change
        for change in (*result.created, *result.updated)
        if change.is_new or change.event.duplicate_key != change.recorded_key
    ]
    if not warned:
        return []
    updated = {change.event.pk for change in result.updated}
    recorded = AwarenessEvent.objects.visible_to(result.user).sharing_keys(
        change.event.duplicate_key for change in warned
    )
    found = []
    for change in sorted(warned, key=lambda change: change.lines[0]):
        key = change.event.duplicate_key
        # Recorded events where the file leaves them: those it updates, by its values.
        same_recorded = [event for event in recorded[key] if event.pk not in updated]
        same_recorded += [event for event in moved_here[key] if event is not change.event]
        duplicate = PossibleDuplicate(
            change, sorted(same_recorded, key=lambda event: event.pk), new[key]
        )
        if duplicate.recorded or duplicate.in_file_count:
            found.append(duplicate)
    return found
