/** What the product asks Facebook for (graph-api.md section 15). */
export const REQUESTED_SCOPES = [
  'instagram_basic',
  'instagram_content_publish',
  'pages_show_list',
  'pages_read_engagement',
  'pages_manage_metadata',
  'business_management',
];
/** Without these the product cannot work; the other two only widen what it can find or hear. */
export const REQUIRED_SCOPES = ['instagram_basic', 'instagram_content_publish', 'pages_show_list', 'pages_read_engagement'];

/** What Instagram Login asks for (instagram-login.md §1): reading the account and publishing. */
export const INSTAGRAM_REQUESTED_SCOPES = ['instagram_business_basic', 'instagram_business_content_publish'];
/** Both are needed: without publishing the product has nothing to do. */
export const INSTAGRAM_REQUIRED_SCOPES = ['instagram_business_basic', 'instagram_business_content_publish'];
