// The Host header, read as Django reads it. Django refuses a Host that is not
// a valid name (400), and, when ALLOWED_HOSTS is set, any host not listed
// there (400). A Host must never steer anything else: routing uses the
// request target alone (src/http/request-target.ts).

// Django's host_validation_re: a DNS name or IPv4 address, or a bracketed IPv6
// address, then an optional port.
const HOST_SYNTAX = /^([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(:[0-9]+)?$/i;

/** The host's name without its port or trailing dot, lowercased; null when the header is not a valid host. */
export function hostName(header: string): string | null {
  if (!HOST_SYNTAX.test(header)) return null;
  // The syntax allows one ":port" at the end only: an IPv6 address is bracketed.
  const name = header.toLowerCase().replace(/:\d+$/, "");
  return name.endsWith(".") ? name.slice(0, -1) : name;
}

/**
 * Django's validate_host: `*` allows any host, `.example.com` the domain and
 * every subdomain, anything else that exact name. Patterns are lowercase.
 */
export function isAllowedHost(name: string, patterns: readonly string[]): boolean {
  return patterns.some(
    (pattern) =>
      pattern === "*" ||
      pattern === name ||
      (pattern.startsWith(".") && (name.endsWith(pattern) || name === pattern.slice(1))),
  );
}
