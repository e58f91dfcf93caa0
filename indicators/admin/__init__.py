"""The admin of the events: each module registers or serves one part of it (the
events with their actions, access, filters, import, overview and deleted events;
the targets and closed years)."""

from indicators.admin import events, targets

__all__ = ["events", "targets"]
