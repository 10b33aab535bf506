"""Wallbox knowledge and session logic, free of Home Assistant imports.

Everything in this package is plain Python so it can be tested on its own and reused by the
wallbox simulator: profiles (data), transports (Modbus TCP, HTTP), decoding, sessions, tariffs,
tags and the session history.
"""
