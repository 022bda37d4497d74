/** metav1.Time as the API server writes it: RFC 3339 in whole seconds, UTC. */
export function formatKubeTime(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
