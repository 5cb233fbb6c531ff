/** Links into Mackerel's web UI for one org; every method gives undefined when the org has no URL. */
export function mackerelLinks(orgUrl: string | undefined) {
  const base = orgUrl?.replace(/\/$/, '');
  const seg = encodeURIComponent;
  return {
    host: (id: string) => (base ? `${base}/hosts/${seg(id)}` : undefined),
    service: (service: string) => (base ? `${base}/services/${seg(service)}` : undefined),
    role: (service: string, role: string) => (base ? `${base}/services/${seg(service)}#role=${seg(role)}` : undefined),
    hosts: () => (base ? `${base}/hosts` : undefined),
  };
}
