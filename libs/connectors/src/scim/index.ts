// The SCIM 2.0 connector (RFC 7643/7644): what the rest of the engine may use of it.
export { ScimConnector } from './scim-connector';
export {
  readScimSettings,
  SCIM_KEY_ATTRIBUTES,
  type ScimConnectorSettings,
  type ScimKeyAttribute,
} from './scim-settings';
export { SCIM_ATTRIBUTE_NAMES } from './scim-attributes';
