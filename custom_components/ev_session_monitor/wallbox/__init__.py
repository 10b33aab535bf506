"""One wallbox's collaborators, each with one job, assembled by the coordinator.

events: firing events (bus and event entity) and turning authorization into events and
repairs; recording: sessions from readings, priced, archived, persisted (usable by a source that
pushes readings as well as by the poll loop); enforcement: the lock, keepalive, setpoint refresh
and the controls; entry_store: the wallbox's saved state, damaged parts set aside, when to save.
"""
