"""Checksums of crypto wallet addresses: Base58Check (BTC legacy, TRON), Bech32/Bech32m (BTC SegWit, BIP-173
and BIP-350) and EIP-55 (Ethereum mixed-case). A typo in an address loses the money for good, so every format
that carries a checksum is verified, not just pattern-matched."""
from __future__ import annotations

import hashlib
import re

from Crypto.Hash import keccak  # pycryptodome: hashlib's sha3_256 is not Ethereum's Keccak-256

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_CONST, _BECH32M_CONST = 1, 0x2BC830A3
_ETH = re.compile(r"0x[0-9a-fA-F]{40}")


def base58check(text: str) -> bytes | None:
    """The payload (version byte included) if `text` is Base58Check with a valid checksum, else None."""
    if not text or len(text) > 64 or any(ch not in _B58 for ch in text):
        return None
    number = 0
    for ch in text:
        number = number * 58 + _B58.index(ch)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    raw = b"\0" * (len(text) - len(text.lstrip("1"))) + body
    if len(raw) < 5:
        return None
    payload, checksum = raw[:-4], raw[-4:]
    return payload if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] == checksum else None


def _polymod(values: list[int]) -> int:
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            check ^= generator[i] if (top >> i) & 1 else 0
    return check


def _convert_bits(data: list[int], source: int, target: int) -> list[int] | None:
    accumulator, bits, out = 0, 0, []
    for value in data:
        accumulator = (accumulator << source) | value
        bits += source
        while bits >= target:
            bits -= target
            out.append((accumulator >> bits) & ((1 << target) - 1))
    if bits >= source or (accumulator << (target - bits)) & ((1 << target) - 1):
        return None  # padding that is not zero: not what an encoder writes
    return out


def segwit(text: str, hrp: str = "bc") -> bool:
    """A valid SegWit address for `hrp`: v0 in Bech32, v1+ (Taproot) in Bech32m."""
    if len(text) > 90 or (text.lower() != text and text.upper() != text):
        return False
    text = text.lower()
    prefix, _, rest = text.rpartition("1")
    if prefix != hrp or len(rest) < 7 or any(ch not in _BECH32 for ch in rest):
        return False
    data = [_BECH32.index(ch) for ch in rest]
    const = _polymod([ord(c) >> 5 for c in prefix] + [0] + [ord(c) & 31 for c in prefix] + data)
    version, program = data[0], _convert_bits(data[1:-6], 5, 8)
    if version > 16 or program is None or not 2 <= len(program) <= 40:
        return False
    if version == 0:
        return const == _BECH32_CONST and len(program) in (20, 32)
    return const == _BECH32M_CONST


def eip55(text: str) -> bool | None:
    """None: not an Ethereum address; True/False: whether its checksum holds. All-lower or all-upper hex has no
    checksum (EIP-55 is optional), so it is accepted as it is."""
    if not _ETH.fullmatch(text):
        return None
    hexpart = text[2:]
    if hexpart == hexpart.lower() or hexpart == hexpart.upper():
        return True
    digest = keccak.new(digest_bits=256, data=hexpart.lower().encode()).hexdigest()
    return all((ch.upper() if int(digest[i], 16) >= 8 else ch.lower()) == ch for i, ch in enumerate(hexpart))


def crypto_kind(text: str) -> str | None:
    """"btc" | "eth" | "tron" for a valid address, None otherwise."""
    if text[:3].lower() == "bc1":
        return "btc" if segwit(text) else None
    checked = eip55(text)
    if checked is not None:
        return "eth" if checked else None
    payload = base58check(text)
    if payload is None or len(payload) != 21:
        return None
    return {0x00: "btc", 0x05: "btc", 0x41: "tron"}.get(payload[0])
