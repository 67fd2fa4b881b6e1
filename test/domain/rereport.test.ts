import { describe, expect, it } from 'vitest';
import type { Incident } from '../../src/domain/incident.ts';
import type { ReportFacts } from '../../src/domain/report.ts';
import { distinctPriorPosts, firstReportOf, postKeyOf, samePost, withAlsoReported } from '../../src/domain/rereport.ts';

/** A post reported twice is one post: linked to the first incident, counted once for the author. */

function facts(over: { url?: string; author?: string; text?: string } = {}): ReportFacts {
  return {
    where: { platform: 'facebook', ...(over.url !== undefined ? { postUrl: over.url } : {}), seenAt: '2026-11-03T13:45:00.000Z', seenDate: '2026-11-03', seenTime: '13:45', ...(over.author !== undefined ? { authorName: over.author } : {}), authorRelationship: 'patient' },
    what: { postText: over.text ?? 'The receptionist is rude', categories: ['personal-attack'], namedParties: [] },
    risk: { atRisk: false },
    evidence: { screenshots: [] },
  };
}
let n = 0;
function incident(f: ReportFacts, handling: Partial<NonNullable<Incident['handling']>> = {}): Incident {
  n++;
  return { practiceId: 'p', reference: `PW-2026-${String(n).padStart(4, '0')}`, status: 'awaiting-decision', reportedAt: `2026-11-0${Math.min(n, 9)}T10:00:00Z`, reporter: { aadObjectId: `a${n}`, name: `Person ${n}` }, draftId: `d${n}`, facts: f, handling: { version: 1, ...handling } };
}

describe('the same post', () => {
  it.each([
    ['the same link, another author name', facts({ url: 'https://www.Facebook.com/p/1/#c', author: 'A' }), facts({ url: 'https://www.facebook.com/p/1', author: 'B' }), true],
    ['the same author and words, no link', facts({ author: '@Jay', text: 'Rude, RUDE receptionist!' }), facts({ author: 'jay', text: 'rude rude receptionist' }), true],
    ['the same author, other words', facts({ author: 'Jay', text: 'one thing' }), facts({ author: 'Jay', text: 'another thing' }), false],
    ['the same words, no author and no link', facts({ text: 'x y' }), facts({ text: 'x y' }), false],
    ['different links', facts({ url: 'https://x.com/a/1' }), facts({ url: 'https://x.com/a/2' }), false],
  ])('%s: %s', (_, a, b, same) => {
    expect(samePost(a, b)).toBe(same);
  });

  it('normalises the link: case of the host, fragment and trailing slash, not the path or query', () => {
    expect(postKeyOf(facts({ url: 'https://WWW.facebook.com/Page/posts/1/#comments' }))).toBe('https://www.facebook.com/Page/posts/1');
    expect(postKeyOf(facts({ url: 'https://www.facebook.com/p?id=1' }))).not.toBe(postKeyOf(facts({ url: 'https://www.facebook.com/p?id=2' })));
  });

  it('a re-report links to the first incident, following an earlier link; the author is counted by distinct posts', () => {
    const first = incident(facts({ url: 'https://fb.com/p/1', author: 'Jay' }));
    const second = incident(facts({ url: 'https://fb.com/p/1', author: 'Jay' }), { sameAs: first.reference });
    const other = incident(facts({ url: 'https://fb.com/p/2', author: 'Jay', text: 'Another post' }));
    const otherAgain = incident(facts({ url: 'https://fb.com/p/2', author: 'Jay', text: 'Another post' }), { sameAs: other.reference });
    const earlier = [first, second, other, otherAgain];
    const third = facts({ url: 'https://fb.com/p/1', author: 'Jay' });
    expect(firstReportOf(third, earlier)?.reference).toBe(first.reference);
    // Earlier posts by Jay other than this one: p/2 only, however often it was reported.
    expect(distinctPriorPosts(third, earlier)).toBe(1);
    // A new post by Jay: p/1 and p/2 came before (BMA: two or more connected posts).
    expect(distinctPriorPosts(facts({ url: 'https://fb.com/p/3', author: 'Jay', text: 'third' }), earlier)).toBe(2);
    expect(firstReportOf(facts({ url: 'https://fb.com/p/3', author: 'Jay', text: 'third' }), earlier)).toBeUndefined();
  });

  it('the first incident lists each re-report once', () => {
    const first = incident(facts({ url: 'https://fb.com/p/9' }));
    const once = withAlsoReported(first, { reference: 'PW-2026-0100', name: 'Sam', at: '2026-11-09T10:00:00Z' });
    expect(once.handling?.alsoReportedBy).toEqual([{ reference: 'PW-2026-0100', name: 'Sam', at: '2026-11-09T10:00:00Z' }]);
    expect(once.handling?.version).toBe(2);
    expect(withAlsoReported(once, { reference: 'PW-2026-0100', name: 'Sam', at: '2026-11-09T10:00:00Z' })).toBe(once);
  });
});
