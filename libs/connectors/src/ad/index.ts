// The Active Directory connector (also for Samba AD).
export { AdConnector } from './ad-connector';
export type { AdChangesSince } from './ad-reader';
export {
  readAdSettings,
  AD_DEFAULT_ATTRIBUTES,
  AD_PASSWORD_ATTRIBUTE,
  type AdConnectorSettings,
} from './ad-settings';
export { encodeUnicodePwd } from './ad-values';
