/** `gluster pool list --xml` as glusterd 10.3 prints it (shape of test/fixtures/gluster). */
export function poolListXml(
  self: string,
  peers: readonly { uuid: string; hostname: string; connected?: boolean; state?: number }[],
): string {
  const rows = peers
    .map(
      (peer) =>
        `<peer><uuid>${peer.uuid}</uuid><hostname>${peer.hostname}</hostname><hostnames><hostname>${peer.hostname}</hostname></hostnames><connected>${peer.connected === false ? 0 : 1}</connected><state>${peer.state ?? 3}</state><stateStr>${(peer.state ?? 3) === 3 ? 'Peer in Cluster' : 'Probe Sent to Peer'}</stateStr></peer>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cliOutput><opRet>0</opRet><opErrno>0</opErrno><opErrstr/><peerStatus>${rows}<peer><uuid>${self}</uuid><hostname>localhost</hostname><connected>1</connected></peer></peerStatus></cliOutput>`;
}
