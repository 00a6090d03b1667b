package dev.soracamel.validate;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which addresses an outbound fetch of a user-given link may reach. Only public unicast addresses, unless the
 * allow-list names the host or address: loopback, link-local (cloud metadata at 169.254.169.254), private
 * (10/8, 172.16/12, 192.168/16, fc00::/7), carrier-grade NAT, multicast, broadcast, unspecified (0.0.0.0, ::),
 * documentation and benchmark ranges are refused, IPv4 hidden in IPv6 (mapped, compatible, 6to4, NAT64)
 * included. Checked on the addresses a name resolves to, and on every redirect.
 *
 * <p>Allow-list entries ({@code sora.validation.image-allow}, comma separated): a host name as written in links
 * ({@code images.intranet}), an address ({@code 10.1.2.3}, {@code [fd00::1]}) or a range ({@code 10.0.0.0/8}),
 * each optionally with a port ({@code 127.0.0.1:8081}, {@code [::1]:8081}): then only that port.
 */
public final class AddressPolicy {

    private record Entry(String host, byte[] network, int prefix, int port) {
    }

    private static final Pattern V4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final List<Entry> allowed;

    private AddressPolicy(List<Entry> allowed) {
        this.allowed = allowed;
    }

    public static AddressPolicy publicOnly() {
        return new AddressPolicy(List.of());
    }

    /** @throws IllegalArgumentException for an entry that is not a host, address or range */
    public static AddressPolicy allowing(String commaSeparated) {
        List<Entry> entries = new ArrayList<>();
        if (commaSeparated != null) {
            for (String raw : commaSeparated.split(",")) {
                String e = raw.strip();
                if (!e.isEmpty()) {
                    entries.add(parse(e));
                }
            }
        }
        return new AddressPolicy(List.copyOf(entries));
    }

    public boolean isEmpty() {
        return allowed.isEmpty();
    }

    private static Entry parse(String e) {
        String addr = e;
        int port = -1;
        if (e.startsWith("[")) {
            int close = e.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + e + "' lacks its ']'");
            }
            addr = e.substring(1, close);
            String rest = e.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("'" + e + "' is not [address]:port");
                }
                port = port(e, rest.substring(1));
            }
        } else if (e.indexOf(':') >= 0 && e.indexOf(':') == e.lastIndexOf(':')) {
            addr = e.substring(0, e.indexOf(':'));
            port = port(e, e.substring(e.indexOf(':') + 1));
        }
        int prefix = -1;
        String net = addr;
        int slash = addr.indexOf('/');
        if (slash >= 0) {
            net = addr.substring(0, slash);
            try {
                prefix = Integer.parseInt(addr.substring(slash + 1));
            } catch (NumberFormatException x) {
                throw new IllegalArgumentException("'" + e + "' has no prefix length after '/'");
            }
        }
        byte[] literal = literal(net);
        if (literal == null) {
            if (prefix >= 0 || !net.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")) {
                throw new IllegalArgumentException("'" + e + "' is neither a host name, an address nor a range");
            }
            return new Entry(net.toLowerCase(Locale.ROOT), null, -1, port);
        }
        int bits = literal.length * 8;
        if (prefix > bits) {
            throw new IllegalArgumentException("'" + e + "' has a prefix longer than " + bits + " bits");
        }
        return new Entry(null, literal, prefix < 0 ? bits : prefix, port);
    }

    private static int port(String e, String p) {
        try {
            int port = Integer.parseInt(p);
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException x) {
            throw new IllegalArgumentException("'" + e + "' has no port from 1 to 65535 after ':'");
        }
    }

    /** The bytes of an IP literal, without any name lookup; null for a host name. */
    private static byte[] literal(String s) {
        if (V4.matcher(s).matches() || s.indexOf(':') >= 0) {
            try {
                // a literal: no lookup is made
                return InetAddress.getByName(s).getAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("'" + s + "' is not an IP address");
            }
        }
        return null;
    }

    /** True when the host as written in the link (lower case) and port are allowed by name. */
    boolean allowsHost(String host, int port) {
        String h = host.toLowerCase(Locale.ROOT);
        for (Entry e : allowed) {
            if (e.host != null && e.host.equals(h) && (e.port < 0 || e.port == port)) {
                return true;
            }
        }
        return false;
    }

    /** True when this address may be reached on this port (public, or allowed by address or range). */
    boolean allows(InetAddress a, int port) {
        if (isPublic(a)) {
            return true;
        }
        byte[] b = a.getAddress();
        for (Entry e : allowed) {
            if (e.network != null && e.network.length == b.length && (e.port < 0 || e.port == port)
                    && sameNetwork(e.network, b, e.prefix)) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameNetwork(byte[] net, byte[] a, int prefix) {
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (net[i] != a[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (net[full] & mask) == (a[full] & mask);
    }

    /** Public unicast: none of the special ranges. */
    public static boolean isPublic(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return isPublicV4(b);
        }
        if (a instanceof Inet6Address) {
            int first = b[0] & 0xFF;
            if ((first & 0xFE) == 0xFC) { // fc00::/7 unique local
                return false;
            }
            if (first == 0xFE && (b[1] & 0xC0) == 0xC0) { // fec0::/10 old site-local
                return false;
            }
            boolean zero96 = true;
            for (int i = 0; i < 10; i++) {
                zero96 &= b[i] == 0;
            }
            if (zero96 && ((b[10] == 0 && b[11] == 0) || (b[10] == (byte) 0xFF && b[11] == (byte) 0xFF))) {
                return isPublicV4(tail(b, 12)); // ::a.b.c.d and ::ffff:a.b.c.d
            }
            if (first == 0x00 && b[1] == 0x64 && (b[2] & 0xFF) == 0xFF && (b[3] & 0xFF) == 0x9B) {
                return isPublicV4(tail(b, 12)); // 64:ff9b::/96 NAT64
            }
            if (first == 0x20 && b[1] == 0x02) {
                return isPublicV4(new byte[] {b[2], b[3], b[4], b[5]}); // 2002::/16 6to4
            }
            if (first == 0x20 && b[1] == 0x01 && b[2] == 0x0D && (b[3] & 0xFF) == 0xB8) {
                return false; // 2001:db8::/32 documentation
            }
            if (first == 0x01 && b[1] == 0 && b[2] == 0 && b[3] == 0 && b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] == 0) {
                return false; // 100::/64 discard
            }
            return true;
        }
        return false;
    }

    private static byte[] tail(byte[] b, int from) {
        byte[] t = new byte[b.length - from];
        System.arraycopy(b, from, t, 0, t.length);
        return t;
    }

    private static boolean isPublicV4(byte[] b) {
        int a0 = b[0] & 0xFF;
        int a1 = b[1] & 0xFF;
        int a2 = b[2] & 0xFF;
        return !(a0 == 0 || a0 == 10 || a0 == 127
                || (a0 == 100 && a1 >= 64 && a1 <= 127)      // carrier-grade NAT
                || (a0 == 169 && a1 == 254)                  // link-local, cloud metadata
                || (a0 == 172 && a1 >= 16 && a1 <= 31)
                || (a0 == 192 && a1 == 0 && (a2 == 0 || a2 == 2))
                || (a0 == 192 && a1 == 88 && a2 == 99)       // 6to4 relay
                || (a0 == 192 && a1 == 168)
                || (a0 == 198 && (a1 == 18 || a1 == 19))     // benchmarking
                || (a0 == 198 && a1 == 51 && a2 == 100)
                || (a0 == 203 && a1 == 0 && a2 == 113)
                || a0 >= 224);                               // multicast, reserved, broadcast
    }
}
