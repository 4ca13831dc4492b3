/** The tool's version, stamped into model.yaml and bento.yaml. Kept in step with package.json by a test. */
export const BENTOCI_VERSION = '0.1.0';
