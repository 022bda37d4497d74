import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { exportedFamilies, isOperatorOwnFamily } from './exported-families.js';
import {
  EXPECTED_ALERTS,
  githubAnchor,
  MONITORING_DOC,
  monitoringDocAnchors,
} from './monitoring-files.js';

describe('docs/monitoring.md', () => {
  const doc = readFileSync(MONITORING_DOC, 'utf8');

  it("lists every one of the operator's own metrics in a table row, with its type", async () => {
    const families = await exportedFamilies();
    const undocumented = [...families]
      .filter(([name]) => isOperatorOwnFamily(name))
      .filter(
        ([name, type]) => !new RegExp(`^\\| \`${name}\`\\s*\\| ${type}\\s*\\|`, 'm').test(doc),
      )
      .map(([name, type]) => `${name} (${type})`);
    expect(undocumented).to.deep.equal([]);
  });

  it('names every process metric prom-client exports', async () => {
    const families = await exportedFamilies();
    const unnamed = [...families.keys()]
      .filter((name) => !isOperatorOwnFamily(name))
      .filter((name) => !doc.includes(name))
      // Named as patterns: nodejs_heap_space_size_*_bytes, nodejs_eventloop_lag_… and `_total`s.
      .filter((name) => !/^nodejs_heap_space_size_|^nodejs_eventloop_lag_|_total$/.test(name));
    expect(unnamed).to.deep.equal([]);
  });

  it('has a runbook section for every alert, and the sections the alerts and the README link to', () => {
    const anchors = monitoringDocAnchors();
    for (const alert of EXPECTED_ALERTS) expect(anchors, alert).to.include(alert.toLowerCase());
    expect(anchors).to.include.members(['scraping', 'metrics', 'alerts', 'dashboard']);
  });

  it('links only to its own headings that exist', () => {
    const anchors = monitoringDocAnchors();
    const links = [...doc.matchAll(/\]\(#([^)]+)\)/g)].map((match) => match[1]);
    expect(links.filter((link) => link === undefined || !anchors.has(link))).to.deep.equal([]);
  });
});

describe('githubAnchor', () => {
  const cases: { heading: string; want: string }[] = [
    { heading: 'GlusterClusterNotReady', want: 'glusterclusternotready' },
    { heading: 'How this is tested', want: 'how-this-is-tested' },
    {
      heading: 'Pools (per GlusterCluster, leader only)',
      want: 'pools-per-glustercluster-leader-only',
    },
    { heading: 'The `namespace` label', want: 'the-namespace-label' },
  ];
  for (const tc of cases) {
    it(`${tc.heading} → #${tc.want}`, () => {
      expect(githubAnchor(tc.heading)).to.equal(tc.want);
    });
  }
});
