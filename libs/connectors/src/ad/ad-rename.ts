import { Attribute, Change, type Client } from 'ldapts';
import { childDn, escapeDnValue, firstRdn, parentDn } from './ad-values';

/**
 * Renames a user found under its previous key: its CN when the CN is that key (an adopted user
 * named otherwise keeps its CN), then sAMAccountName and userPrincipalName as the connection
 * computes them. AD keeps group `member` values pointing at the renamed entry by itself. Each step
 * checks what is there first, so a redelivery after an interruption finishes the rename.
 */
export async function renameUser(
  client: Client,
  user: { dn: string },
  previous: string,
  accountKey: string,
  upnSuffix: string,
): Promise<void> {
  let dn = user.dn;
  if (firstRdn(dn).value.toLowerCase() === previous.toLowerCase()) {
    // Only the RDN is given: the entry stays in its container.
    await client.modifyDN(dn, `CN=${escapeDnValue(accountKey)}`);
    dn = childDn('CN', accountKey, parentDn(dn));
  }
  await client.modify(dn, [
    replaceValue('sAMAccountName', accountKey),
    replaceValue('userPrincipalName', `${accountKey}@${upnSuffix}`),
  ]);
}

function replaceValue(type: string, value: string): Change {
  return new Change({ operation: 'replace', modification: new Attribute({ type, values: [value] }) });
}
