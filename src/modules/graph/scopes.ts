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
