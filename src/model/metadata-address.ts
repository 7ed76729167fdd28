/**
 * Where cloud metadata services answer: the link-local ranges (169.254.169.254 on AWS, GCP, Azure, OpenStack,
 * DigitalOcean, Oracle…; fe80::/10), AWS's IPv6 endpoint (fd00:ec2::254) and Alibaba's (100.100.100.200). Some
 * give the machine's cloud credentials to a plain GET (AWS IMDSv1, DigitalOcean): a URL in a source repository's
 * kustomization must not make braid, running in CI on such a machine, read them into a build, its errors or a
 * pull-request comment. kustomize and Flux have no such check; nothing a kustomization means to read lives there.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import { BlockList, isIP } from "node:net";

const METADATA = new BlockList();
METADATA.addSubnet("169.254.0.0", 16, "ipv4");
METADATA.addSubnet("fe80::", 10, "ipv6");
METADATA.addAddress("fd00:ec2::254", "ipv6");
METADATA.addAddress("100.100.100.200", "ipv4");

/** Whether an IP address (v4, v6, or v4-mapped v6) is where a metadata service answers. */
export function isMetadataAddress(address: string): boolean {
  const bare = address.replace(/^\[(.*)\]$/, "$1");
  const family = isIP(bare);
  return family !== 0 && METADATA.check(bare, family === 4 ? "ipv4" : "ipv6");
}

/** The reason a host (a URL's hostname: an IP literal, or a name) is refused before anything connects to it. */
export function metadataHostProblem(hostname: string): string | undefined {
  if (!isMetadataAddress(hostname)) return undefined;
  return `${hostname} is a cloud metadata address (link-local): braid reads nothing there`;
}

/** The error a guarded lookup gives for a name that resolves to a metadata address. */
export class MetadataAddressError extends Error {
  constructor(hostname: string, address: string) {
    super(`${hostname} resolves to ${address}, a cloud metadata address (link-local): braid reads nothing there`);
    this.name = "MetadataAddressError";
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
type Lookup = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

/**
 * A `lookup` for sockets (net.connect's option) that resolves as `resolve` does (dns.lookup) and fails with
 * {@link MetadataAddressError} when any address of the name is a metadata address.
 */
export function refusingLookup(resolve: Lookup = dnsLookup): Lookup {
  return (hostname, options, callback) => {
    resolve(hostname, options, (err, address, family) => {
      if (err) return callback(err, address, family);
      const list = Array.isArray(address) ? address.map((a) => a.address) : [address];
      const refused = list.find(isMetadataAddress);
      if (refused !== undefined) return callback(new MetadataAddressError(hostname, refused), address, family);
      callback(null, address, family);
    });
  };
}

/** Whether an error (or one of its causes) is a {@link MetadataAddressError}. */
export function metadataRefusal(e: unknown): MetadataAddressError | undefined {
  for (let c = e, depth = 0; c && depth < 8; c = (c as { cause?: unknown }).cause, depth++)
    if (c instanceof MetadataAddressError) return c;
  return undefined;
}
