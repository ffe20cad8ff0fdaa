// Builds the dashboard into dashboard/dist as plain static files with relative asset paths,
// so the folder can be served from any host and any sub-path.
import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  envPrefix: "VITE_",
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: true },
});
