import { describe, expect, it } from 'vitest';
import { activityProblem, contentRefusal, looksLikeBearerJwt, parseJson } from '../../src/requestBody.ts';

/** What /api/messages decides from the headers alone, before a byte of the body is read. */

const MAX = 256 * 1024;

describe('content type and encoding', () => {
  it.each(['application/json', 'Application/JSON', 'application/json; charset=utf-8', 'application/json;charset="UTF-8"', 'application/json; charset=utf-8;'])(
    'accepts %s',
    (type) => expect(contentRefusal({ 'content-type': type }, MAX)).toBeUndefined(),
  );

  it.each([
    ['no content type', {}],
    ['text/plain', { 'content-type': 'text/plain' }],
    ['multipart', { 'content-type': 'multipart/form-data; boundary=x' }],
    ['another charset', { 'content-type': 'application/json; charset=utf-16' }],
    ['an extra parameter', { 'content-type': 'application/json; charset=utf-8; boundary=x' }],
    ['a lookalike type', { 'content-type': 'application/json-patch+json' }],
    ['gzip', { 'content-type': 'application/json', 'content-encoding': 'gzip' }],
    ['deflate', { 'content-type': 'application/json', 'content-encoding': 'deflate' }],
    ['br', { 'content-type': 'application/json', 'content-encoding': 'br' }],
    ['a list of encodings', { 'content-type': 'application/json', 'content-encoding': 'identity, gzip' }],
  ])('refuses %s with 415', (_why, headers) => expect(contentRefusal(headers, MAX)?.status).toBe(415));

  it('takes identity as no encoding; refuses a declared length over the cap (413) or not a number (400)', () => {
    expect(contentRefusal({ 'content-type': 'application/json', 'content-encoding': 'identity', 'content-length': String(MAX) }, MAX)).toBeUndefined();
    expect(contentRefusal({ 'content-type': 'application/json', 'content-length': String(MAX + 1) }, MAX)?.status).toBe(413);
    expect(contentRefusal({ 'content-type': 'application/json', 'content-length': '1e9' }, MAX)?.status).toBe(400);
  });
});

describe('the Authorization header worth validating', () => {
  it('is a Bearer JWT of three base64url parts, nothing else', () => {
    expect(looksLikeBearerJwt('Bearer eyJh.eyJz.c2ln')).toBe(true);
    for (const bad of [undefined, '', 'Bearer ', 'Basic YTpi', 'Bearer a.b', 'Bearer a.b.', 'bearer a.b.c', 'Bearer a.b.c d', `Bearer a.b.${'c'.repeat(9_000)}`]) {
      expect(looksLikeBearerJwt(bad), String(bad).slice(0, 20)).toBe(false);
    }
  });
});

describe('JSON', () => {
  it('parses UTF-8 JSON and refuses anything else', () => {
    expect(parseJson(Buffer.from('{"type":"message","text":"café"}'))).toEqual({ ok: true, value: { type: 'message', text: 'café' } });
    expect(parseJson(Buffer.from('{"type":'))).toEqual({ ok: false });
    expect(parseJson(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]))).toEqual({ ok: false });
  });
});

describe('the activity envelope (checked after authentication, before botbuilder)', () => {
  const ok = { type: 'message', serviceUrl: 'https://smba.trafficmanager.net/emea/' };

  it('accepts what Teams sends, with nulls for absent fields and fields botbuilder does not read', () => {
    expect(activityProblem(ok)).toBeUndefined();
    expect(activityProblem({ ...ok, text: null, from: null, attachments: [{}], channelData: { tenant: { id: 't' } }, extra: 5 })).toBeUndefined();
    expect(activityProblem({ ...ok, from: { id: '29:a', aadObjectId: 'aad', other: 3 }, conversation: { id: 'c', tenantId: 't' } })).toBeUndefined();
  });

  it.each([
    ['not an object', null, 'body'],
    ['an array', [ok], 'body'],
    ['text', 'message', 'body'],
    ['no type', { serviceUrl: ok.serviceUrl }, 'type'],
    ['an empty type', { ...ok, type: '' }, 'type'],
    ['no service URL', { type: 'message' }, 'serviceUrl'],
    ['a service URL that is not http(s)', { ...ok, serviceUrl: 'file:///etc/passwd' }, 'serviceUrl'],
    ['a number for text', { ...ok, text: 42 }, 'text'],
    ['an array for from', { ...ok, from: [] }, 'from'],
    ['a number for from.id', { ...ok, from: { id: 1 } }, 'from.id'],
    ['an object for conversation.tenantId', { ...ok, conversation: { id: 'c', tenantId: {} } }, 'conversation.tenantId'],
    ['an array for channelData', { ...ok, channelData: [] }, 'channelData'],
    ['an attachment that is not an object', { ...ok, attachments: [null] }, 'attachments.0'],
    ['entities that are not a list', { ...ok, entities: {} }, 'entities'],
  ])('refuses %s, naming the field', (_why, body, field) => expect(activityProblem(body)).toBe(field));
});
