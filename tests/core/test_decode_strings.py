"""Text registers: a string ends at its first NUL (openWB series 2 tag and serial).

Register images written by hand from openWB/core packages/helpermodules/modbusserver.py:
- _form_str() up to release 2.2.2 (commit 9aee9cef5, 2026-06-19): a tag is UTF-8, two bytes
  per register, big-endian, the odd last byte padded with 0; only the registers the new tag
  needs are written, the rest keep what an earlier, longer tag left; "no tag" (None or "")
  writes 0 to the first register only.
- _form_str() since commit dd6ea0331 (#3797, 2026-08-17): all registers are zeroed first.
- read_data_store(): charge point 1 tag at 10100 + 60 (10 registers), serial at 10100 + 50.
"""

from __future__ import annotations

import pytest

from custom_components.ev_session_monitor.core.decode import decode_string
from custom_components.ev_session_monitor.core.modbus import ModbusWallboxClient
from custom_components.ev_session_monitor.core.modbus_link import ModbusLinkPool
from custom_components.ev_session_monitor.core.modbus_registers import decode_raw
from tools.wallbox_simulator import builtin_profile
from tools.wallbox_simulator.servers import ModbusSimServer, RawImageBox

# "04A1B2C3D4E5F6": '0' 0x30 '4' 0x34, 'A' 0x41 '1' 0x31, 'B' 0x42 '2' 0x32, ...
SEVEN_BYTE_UID = [0x3034, 0x4131, 0x4232, 0x4333, 0x4434, 0x4535, 0x4636, 0, 0, 0]
# "no tag" after it, release <= 2.2.2: the first register zeroed, the rest left as they were.
NO_TAG_AFTER_UID = [0x0000, 0x4131, 0x4232, 0x4333, 0x4434, 0x4535, 0x4636, 0, 0, 0]
# "ABC" after it, release <= 2.2.2: 'A' 'B', then 'C' and the 0 pad byte; the old tail stays.
ODD_TAG_AFTER_UID = [0x4142, 0x4300, 0x4232, 0x4333, 0x4434, 0x4535, 0x4636, 0, 0, 0]
# "ABCD" after it, since dd6ea0331: everything zeroed first.
EVEN_TAG_CLEARED = [0x4142, 0x4344, 0, 0, 0, 0, 0, 0, 0, 0]


@pytest.mark.parametrize(
    ("registers", "tag"),
    [
        (SEVEN_BYTE_UID, "04A1B2C3D4E5F6"),
        (NO_TAG_AFTER_UID, None),
        (ODD_TAG_AFTER_UID, "ABC"),
        (EVEN_TAG_CLEARED, "ABCD"),
        ([0] * 10, None),
    ],
    ids=["uid", "no_tag_stale_tail", "odd_tag_stale_tail", "even_tag_cleared", "zeroed"],
)
def test_openwb_tag_registers(registers: list[int], tag: str | None) -> None:
    spec = builtin_profile("openwb_series2").values["tag"]
    assert (spec.address, spec.count, spec.data_type) == (10160, 10, "string")
    assert decode_raw(spec, registers) == tag


def test_text_ends_at_first_nul_in_every_layout() -> None:
    # Bytes swapped per register (Mennekes HCC3): "AB" "C\0" then garbage.
    assert decode_string([0x4241, 0x0043, 0x5A5A], byte_order="little") == "ABC"
    # One character per register (Vestel): ends at the first 0 register.
    assert decode_string([0x41, 0x42, 0, 0x43], chars_per_register=1) == "AB"
    # Space padding still goes.
    assert decode_string([0x2041, 0x4220, 0x2000]) == "AB"


async def test_openwb_no_tag_read_over_modbus() -> None:
    profile = builtin_profile("openwb_series2")
    # Serial "SN12345678": 'S' 0x53 'N' 0x4E, '1' 0x31 '2' 0x32, ... then zero padding.
    serial = [0x534E, 0x3132, 0x3334, 0x3536, 0x3738, 0, 0, 0, 0, 0]
    # The server answers function codes 3 and 4 from the same store.
    image = {10150: serial, 10160: NO_TAG_AFTER_UID}
    box = RawImageBox(image, image)
    server = ModbusSimServer()
    server.add_box(1, box)
    await server.start()
    client = ModbusWallboxClient(profile, ModbusLinkPool(), "127.0.0.1", server.port, 1)
    try:
        assert (await client.read_identity()).serial == "SN12345678"
        assert (await client.read()).tag is None
        box.tables["input"].update(dict(enumerate(ODD_TAG_AFTER_UID, start=10160)))
        box.tables["holding"].update(dict(enumerate(ODD_TAG_AFTER_UID, start=10160)))
        assert (await client.read()).tag == "ABC"
    finally:
        await client.close()
        await server.stop()
