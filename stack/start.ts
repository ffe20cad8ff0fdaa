// `npm start`: after stack:up, loads demo data if there is none, then prints where everything is
// and a ready-to-use token per role.
import { DEMO_ROLES, DEMO_USERS, mintRoleToken } from "./keys.ts";
import { LOCAL_ANON_KEY, LOCAL_DASHBOARD_URL, LOCAL_DB_URL, LOCAL_FUNCTIONS_URL, LOCAL_SECRET_KEY, LOCAL_SERVICE_ROLE_KEY } from "./local-settings.ts";
import { ensureDemoData } from "./demo-data.ts";

const TOKEN_TTL_S = 24 * 3600;

console.log(await ensureDemoData());

console.log(`
SAMIA-TAROT analytics — local stack
  Postgres        ${LOCAL_DB_URL}
  Functions       ${LOCAL_FUNCTIONS_URL}/<name>
  Dashboard       ${LOCAL_DASHBOARD_URL}  (demo sign-in: pick a role)
  anon key        ${LOCAL_ANON_KEY}
  service_role    ${LOCAL_SERVICE_ROLE_KEY}
  secret key      ${LOCAL_SECRET_KEY}

Tokens (HS256, local demo secret, valid 24 h):`);
for (const role of DEMO_ROLES) {
  console.log(`  ${role.padEnd(11)} sub=${DEMO_USERS[role]}\n    ${await mintRoleToken(role, TOKEN_TTL_S)}`);
}
console.log(`
Stop everything with: npm run stack:down`);
