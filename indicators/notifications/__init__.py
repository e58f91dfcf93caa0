"""The e-mails about events: a status move announced to whoever acts next
(`moves`), and the weekly reminders of what waits for each account (`reminders`).
Both respect each account's NotificationSettings."""
