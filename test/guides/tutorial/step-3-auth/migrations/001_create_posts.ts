// Step 2's migration, unchanged: a real app keeps the file; here it is the same file, re-exported.
export { up, down } from "../../step-2-database/migrations/001_create_posts.js";
