// Binary files imported at build time (tsup/esbuild `loader: { '.bin': 'binary' }`).
declare module '*.bin' {
  const bytes: Uint8Array<ArrayBuffer>;
  export default bytes;
}
