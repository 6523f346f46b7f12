export { openOciLayout, OciLayoutRegistry } from './layout-registry.js';
export {
  LayoutWriter,
  cosignTag,
  DEFAULT_CREATED,
  type ImageSpec,
  type IndexSpec,
  type SignatureSpec,
  type ReferrerSpec,
  type WrittenImage,
  type WrittenManifest,
} from './layout-writer.js';
export { MediaTypes, REF_NAME, type Platform, type Descriptor } from './media-types.js';
