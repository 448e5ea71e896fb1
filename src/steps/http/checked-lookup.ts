/**
 * A DNS lookup for undici's `connect.lookup` that refuses a host when any of its addresses is outside
 * the address policy: checked at connect time, so a name that resolves to a forbidden address is
 * refused even when the name itself looked harmless (and a DNS answer cannot change between check and use).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isAddressAllowed, type AddressPolicy } from './address-policy.ts';

export function checkedLookup(policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const refused = addresses.find((a) => !isAddressAllowed(a.address, policy));
      if (refused) {
        const e = Object.assign(new Error(`Host ${hostname} resolves to a refused address ${refused.address}`), {
          code: 'HOST_NOT_ALLOWED',
        });
        return callback(e, '', 0);
      }
      if (options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    });
  };
}
