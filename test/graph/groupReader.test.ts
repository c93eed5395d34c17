/**
 * How GraphGroupReader pages: the next page is requested once the body of the page being waited for is in (its
 * next link read from the start of the body, before parsing), never more than one page ahead, and an early link
 * that the parsed page contradicts is dropped. A scripted transport decides when each answer arrives.
 */
import { describe, expect, it } from 'vitest';
import { GraphGroupReader, leadingNextLink } from '../../src/graph/groupReader';
import type { GraphRequestOptions, GraphTransport } from '../../src/graph/graphTransport';

interface Call {
  link: string;
  options: GraphRequestOptions;
  answer(body: { value: unknown[]; '@odata.nextLink'?: string }, text?: string): void;
}

/** A transport whose answers the test hands out one by one. */
function scriptedTransport() {
  const calls: Call[] = [];
  const waiters: Array<() => void> = [];
  const transport = {
    getJson(link: string, _what: string, options: GraphRequestOptions = {}): Promise<unknown> {
      return new Promise((resolve) => {
        calls.push({
          link,
          options,
          // Graph's own order: context, next link, then the groups.
          answer(body, text = JSON.stringify({ '@odata.context': 'https://graph.microsoft.com/beta/$metadata#groups', '@odata.nextLink': body['@odata.nextLink'], value: body.value })) {
            options.onBody?.(text);
            resolve(JSON.parse(JSON.stringify(body)));
          },
        });
        for (const wake of waiters.splice(0)) wake();
      });
    },
  };
  /** Resolves once `count` requests were made. */
  const requests = async (count: number): Promise<Call[]> => {
    while (calls.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
    return calls;
  };
  return { transport: transport as unknown as GraphTransport, calls, requests };
}

const group = (id: string) => ({ id, displayName: id });
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('leadingNextLink', () => {
  it('reads the next link Graph writes at the start of a page, with or without @odata.context', () => {
    expect(leadingNextLink('{"@odata.context":"https://graph.microsoft.com/beta/$metadata#groups","@odata.nextLink":"https://graph.microsoft.com/beta/groups?$skiptoken=X%2B1","value":[]}')).toBe(
      'https://graph.microsoft.com/beta/groups?$skiptoken=X%2B1',
    );
    expect(leadingNextLink(' {\n "@odata.nextLink" : "https:\\/\\/a\\u0062c" , "value":[')).toBe('https://abc');
  });

  it('finds nothing when the link is not at the start, is cut off, or is not there', () => {
    expect(leadingNextLink('{"value":[],"@odata.nextLink":"https://x"}')).toBeNull();
    expect(leadingNextLink('{"@odata.context":"c","value":[{"@odata.nextLink":"https://x"}]}')).toBeNull();
    expect(leadingNextLink('{"@odata.nextLink":"https://graph.microsoft.com/beta/gro')).toBeNull();
    expect(leadingNextLink('{"@odata.context":"c","value":[]}')).toBeNull();
  });
});

describe('GraphGroupReader.listGroupPages', () => {
  it('asks for the next page as soon as the awaited page arrives, and no further ahead', async () => {
    const { transport, calls, requests } = scriptedTransport();
    const pages = new GraphGroupReader(transport, { pageSize: 2 }).listGroupPages({ fromLink: '/groups?p=1' });

    const first = pages.next();
    (await requests(1))[0]!.answer({ value: [group('a')], '@odata.nextLink': 'https://graph.microsoft.com/beta/groups?p=2' });
    expect((await first).value).toEqual({ groups: [group('a')], nextLink: 'https://graph.microsoft.com/beta/groups?p=2' });
    // Page 2 was requested when page 1 arrived, before anyone asked for it.
    expect(calls.map((call) => call.link)).toEqual(['/groups?p=1', 'https://graph.microsoft.com/beta/groups?p=2']);

    // Page 2 arrives while nobody waits for it: page 3 is not requested yet (one page ahead at most).
    calls[1]!.answer({ value: [group('b')], '@odata.nextLink': 'https://graph.microsoft.com/beta/groups?p=3' });
    await settle();
    expect(calls).toHaveLength(2);

    // Asking for page 2 (already in) requests page 3 at once.
    expect((await pages.next()).value).toEqual({ groups: [group('b')], nextLink: 'https://graph.microsoft.com/beta/groups?p=3' });
    expect(calls.map((call) => call.link)).toEqual(['/groups?p=1', 'https://graph.microsoft.com/beta/groups?p=2', 'https://graph.microsoft.com/beta/groups?p=3']);
    const third = pages.next();
    calls[2]!.answer({ value: [group('c')] });
    expect((await third).value).toEqual({ groups: [group('c')], nextLink: null });
    expect((await pages.next()).done).toBe(true);
    expect(calls).toHaveLength(3);
  });

  it('drops a page asked for early when the parsed page names another next link', async () => {
    const { transport, calls, requests } = scriptedTransport();
    const pages = new GraphGroupReader(transport, { pageSize: 2 }).listGroupPages({ fromLink: '/groups?p=1' });
    const first = pages.next();
    // The start of the body says p=9, the parsed page says p=2 (a body Graph would not send, but the parsed page rules).
    (await requests(1))[0]!.answer({ value: [group('a')], '@odata.nextLink': 'https://graph.microsoft.com/beta/groups?p=2' }, '{"@odata.nextLink":"https://graph.microsoft.com/beta/groups?p=9","value":[]}');
    await first;
    const second = pages.next();
    const [, early, actual] = await requests(3);
    expect(early!.link).toBe('https://graph.microsoft.com/beta/groups?p=9');
    expect(actual!.link).toBe('https://graph.microsoft.com/beta/groups?p=2');
    actual!.answer({ value: [group('b')] });
    expect((await second).value).toEqual({ groups: [group('b')], nextLink: null });
    expect((await pages.next()).done).toBe(true);
  });
});
