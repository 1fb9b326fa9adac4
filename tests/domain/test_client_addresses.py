"""Who the client is: the peer, unless a trusted proxy forwarded the request; and what rate
limits count for it."""

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.protection.client_addresses import Client, TrustedProxies, parse_address

PROXIES = TrustedProxies(
    [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("2001:db8:ffff::/48")]
)
NOBODY = TrustedProxies([])
public_ipv4 = st.ip_addresses(v=4, network="198.51.100.0/24").map(str)
trusted_ipv4 = st.ip_addresses(v=4, network="10.0.0.0/8").map(str)


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("192.0.2.1", [], "192.0.2.1"),
        ("192.0.2.1", ["198.51.100.1"], "192.0.2.1"),  # untrusted peer: hops ignored
        ("10.0.0.1", [], "10.0.0.1"),  # a trusted proxy without hops is the client
        ("10.0.0.1", ["198.51.100.1"], "198.51.100.1"),
        ("10.0.0.1", ["203.0.113.9", "198.51.100.1"], "198.51.100.1"),  # rightmost untrusted
        ("10.0.0.1", ["198.51.100.1", "10.0.0.2"], "198.51.100.1"),  # through two proxies
        ("10.0.0.1", ["10.0.0.3", "10.0.0.2"], "10.0.0.3"),  # all trusted: the farthest
        ("10.0.0.1", ["198.51.100.1", "not-an-ip"], "10.0.0.1"),  # garbage: count the proxy
        ("10.0.0.1", ["198.51.100.1", "not-an-ip", "10.0.0.2"], "10.0.0.2"),
        ("10.0.0.1", ["198.51.100.1:5555"], "198.51.100.1"),
        ("10.0.0.1", ["[2001:db8::1]:443"], "2001:db8::1"),
        ("2001:db8:ffff::1", ["2001:db8::1"], "2001:db8::1"),  # an IPv6 proxy
        ("::ffff:10.0.0.1", ["198.51.100.1"], "198.51.100.1"),  # IPv4-mapped peer
        ("[::ffff:10.0.0.1]:80", ["::ffff:198.51.100.1"], "198.51.100.1"),
        (" 192.0.2.1 ", [], "192.0.2.1"),
        ("testclient", ["198.51.100.1"], "testclient"),  # not an address: the peer's name
        ("unknown", [], "unknown"),
    ],
)
def test_client_address(peer: str, forwarded: list[str], client: str) -> None:
    assert PROXIES.client(peer, forwarded) == client
    assert PROXIES.resolve(peer, forwarded).address == client


@given(peer=trusted_ipv4 | public_ipv4, hops=st.lists(public_ipv4 | trusted_ipv4, max_size=4))
def test_without_trusted_proxies_the_hops_never_count(peer: str, hops: list[str]) -> None:
    assert NOBODY.client(peer, hops) == peer


@given(proxy=trusted_ipv4, client=public_ipv4, chain=st.lists(trusted_ipv4, max_size=4))
def test_the_rightmost_untrusted_hop_is_the_client(
    proxy: str, client: str, chain: list[str]
) -> None:
    assert PROXIES.client(proxy, ["203.0.113.7", client, *chain]) == client


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("2001:db8:1:2:3:4:5:6", [], Client("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64")),
        ("192.0.2.1", [], Client("192.0.2.1", "192.0.2.1")),
        (" 192.0.2.1:80 ", [], Client("192.0.2.1", "192.0.2.1")),
        ("::ffff:192.0.2.1", [], Client("192.0.2.1", "192.0.2.1")),
        ("10.0.0.1", ["[2001:db8:5::9]:443"], Client("2001:db8:5::9", "2001:db8:5::/64")),
        ("testclient", [], Client("testclient", "testclient")),
    ],
)
def test_rate_limits_count_ipv6_clients_by_their_slash_64(
    peer: str, forwarded: list[str], client: Client
) -> None:
    assert PROXIES.resolve(peer, forwarded) == client


@given(st.ip_addresses(v=6, network="2000::/3"))
def test_every_ipv6_address_is_counted_with_its_slash_64(address: ipaddress.IPv6Address) -> None:
    subject = ipaddress.ip_network(NOBODY.resolve(str(address), []).subject)
    assert subject.prefixlen == 64
    assert address in subject


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("192.0.2.1:443", "192.0.2.1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("2001:db8::1", "2001:db8::1"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("\t192.0.2.1\n", "192.0.2.1"),
        ("[2001:db8::1]:443]", "2001:db8::1"),  # a bracketed address ends at the first "]"
    ],
)
def test_an_address_is_read_without_port_brackets_or_mapping(text: str, address: str) -> None:
    assert str(parse_address(text)) == address


@pytest.mark.parametrize("text", ["", "unknown", "192.0.2", "[", "192.0.2.1:443:1", "a:b"])
def test_text_without_an_address_is_none(text: str) -> None:
    assert parse_address(text) is None
