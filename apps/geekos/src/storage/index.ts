/** Host-side storage for the GeekOS app: raw image files as IDE block backends. */
export { CD_SECTOR, DISK_SECTOR, FileBackend, ImageFileError } from './file-backend.js';
export type { FileBackendOptions } from './file-backend.js';
