import { describe, expect, it } from 'vitest';
import { tableClient } from '../../src/store/azure/clients.ts';

/** The SDK clients are set up for this workload: no per-request tracing or SDK logging. */
const LOCAL = 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;';

describe('table clients', () => {
  it('sign and send every request without tracing spans or SDK request logging', () => {
    const names = tableClient(LOCAL, 'incidents').pipeline.getOrderedPolicies().map((p) => p.name);
    expect(names).not.toContain('tracingPolicy');
    expect(names).not.toContain('logPolicy');
    // What a request needs is still there: signing, retries, a connection pool.
    expect(names).toEqual(expect.arrayContaining(['tablesNamedKeyCredentialPolicy', 'defaultRetryPolicy', 'agentPolicy']));
  });
});
