import { describe, expect, it } from 'vitest';
import { WritebackWatchError } from '../../src/errors';
import { entraGroupUrl, groupLinker, portalBaseUrl } from '../../src/report/entraLinks';

const ID = '0f1e2d3c-4b5a-4697-8887-a9b8c7d6e5f4';

describe('Entra admin center links', () => {
  it('points at the group overview blade', () => {
    expect(entraGroupUrl(ID)).toBe(`https://entra.microsoft.com/#view/Microsoft_AAD_IAM/GroupDetailsMenuBlade/~/Overview/groupId/${ID}`);
    expect(entraGroupUrl(ID.toUpperCase(), 'https://entra.microsoft.us/')).toBe(
      `https://entra.microsoft.us/#view/Microsoft_AAD_IAM/GroupDetailsMenuBlade/~/Overview/groupId/${ID}`,
    );
  });

  it('builds no link for an id that is not a GUID, so no other text can reach a formula', () => {
    const link = groupLinker();
    for (const id of ['fixture-group', `${ID}")&HYPERLINK("http://evil`, '', `${ID} `]) {
      expect(entraGroupUrl(id)).toBeNull();
      expect(link(id).value).toBeNull();
    }
    expect(link(ID).value).toEqual({
      formula: `HYPERLINK("https://entra.microsoft.com/#view/Microsoft_AAD_IAM/GroupDetailsMenuBlade/~/Overview/groupId/${ID}","Open in Entra")`,
      result: 'Open in Entra',
    });
  });

  it('accepts only a plain https base URL of a length Excel links allow', () => {
    expect(portalBaseUrl('https://portal.azure.cn/')).toBe('https://portal.azure.cn');
    for (const bad of ['http://entra.microsoft.com', 'entra.microsoft.com', 'https://entra.microsoft.com/?q=1', 'https://u:p@entra.microsoft.com', 'javascript:alert(1)', `https://entra.microsoft.com/${'a'.repeat(200)}`]) {
      expect(() => portalBaseUrl(bad), bad).toThrow(WritebackWatchError);
    }
    // Quotes cannot survive URL parsing into the formula.
    expect(portalBaseUrl('https://entra.microsoft.com/a"b')).not.toContain('"');
  });
});
