// Every admin and user route of SPEC 4 and 5 that this build serves, for the tests that
// must hold on all of them (401 without a key, 403 with a user key, the envelope).
// A route added to the gateway belongs here too.

/** [method, path]; `:id` paths use id 1, which exists (group 1, key 1) or answers 404. */
export const kAdminRoutes = [
  ['POST', '/admin/api-key/apply'],
  ['POST', '/admin/api-key/update'],
  ['POST', '/admin/api-key/recharge'],
  ['POST', '/admin/api-key/reset-key'],
  ['POST', '/admin/api-key/delete'],
  ['GET', '/admin/api-key/list'],
  ['GET', '/admin/api-key/detail/1'],
  ['GET', '/admin/api-key/list-model'],
  ['POST', '/admin/api-key/authorize-model'],
  ['POST', '/admin/api-key/deauthorize-model'],
  ['GET', '/admin/payment/list'],
  ['GET', '/admin/model/list'],
  ['GET', '/admin/model/detail/1'],
  ['POST', '/admin/model/save'],
  ['POST', '/admin/model/delete'],
  ['GET', '/admin/model/list-providers'],
  ['GET', '/admin/group/list'],
  ['GET', '/admin/group/detail/1'],
  ['POST', '/admin/group/save'],
  ['POST', '/admin/group/delete'],
  ['GET', '/admin/group/list-model'],
  ['POST', '/admin/group/authorize-model'],
  ['POST', '/admin/group/deauthorize-model'],
  ['GET', '/admin/bot/feishu/list'],
  ['POST', '/admin/bot/feishu/save'],
  ['POST', '/admin/bot/feishu/delete'],
  ['GET', '/admin/session/list'],
  ['GET', '/admin/session/detail/1'],
  ['GET', '/admin/thread/list'],
  ['GET', '/admin/thread/detail/1'],
  ['GET', '/admin/statistics/total'],
];

export const kUserRoutes = [
  ['GET', '/user/api-key/mine'],
  ['GET', '/user/model/list'],
  ['GET', '/user/session/list'],
  ['GET', '/user/thread/list'],
];
