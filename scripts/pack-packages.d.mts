/** Tarball paths of the published packages, by short name. */
export interface PackedTarballs {
  core: string;
  react: string;
  server: string;
}
export declare const PUBLISHED_PACKAGES: Record<keyof PackedTarballs, string>;
export declare function packPackages(destination?: string): PackedTarballs;
export declare function checkTarball(tarball: string): string[];
export declare function checkChangesetsRelease(): string;
