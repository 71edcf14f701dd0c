import { ApiError } from '../api/client';
import type { Lang } from './i18n';

/**
 * The catalogue codes a clerk or finance user meets, in their language. A code not listed here
 * shows the service's own (English) message, which is always better than a generic one.
 */
const zh: Readonly<Record<string, string>> = {
  NETWORK: '无法连接管理台服务器，请检查网络',
  AGENT_NETWORK: '无法连接本机读卡代理，请确认它已启动',
  AGENT_NOT_CONFIGURED: '本机尚未设置读卡代理（见“本机设置”）',
  SESSION_EXPIRED: '会话已过期，请重新登录',
  VALIDATION_FAILED: '输入内容有误',
  NOT_FOUND: '未找到',
  INTERNAL: '服务器内部错误，请稍后重试',
  UNAUTHENTICATED: '请先登录',
  FORBIDDEN: '当前角色无权执行此操作',
  RATE_LIMITED: '请求过于频繁，请稍后再试',
  CONFLICT: '与当前状态冲突，请刷新后重试',
  SERVICE_UNAVAILABLE: '后台服务暂不可用，请稍后重试',
  AMOUNT_INVALID: '金额格式不正确（最多两位小数）',
  AMOUNT_OUT_OF_RANGE: '金额超出允许范围',
  ID_NUMBER_INVALID: '证件号码无效',
  ID_NUMBER_MISMATCH: '出生日期或性别与身份证号码不符',
  CARDHOLDER_NOT_FOUND: '未找到持卡人',
  CARDHOLDER_EXISTS: '该证件已登记过持卡人',
  CARDHOLDER_VERSION_CONFLICT: '持卡人资料已被他人修改，请刷新后重试',
  CARD_NOT_FOUND: '未找到该卡',
  CARD_TRANSITION_ILLEGAL: '该卡当前状态不允许此操作',
  CARD_NUMBER_LENGTH_INVALID: '卡号位数不正确',
  CARD_NUMBER_NOT_DIGITS: '卡号只能包含数字',
  CARD_NUMBER_CHECK_DIGIT_INVALID: '卡号校验位错误',
  PRODUCT_NOT_FOUND: '未找到卡产品',
  PRODUCT_INACTIVE: '该卡产品已停止发行',
  STOCK_BATCH_REJECTED: '入库批次有格式错误或重复的 UID，未导入任何卡',
  SHADOW_BALANCE_NEGATIVE: '后台余额不足',
  SHADOW_BALANCE_ABOVE_MAX: '后台余额将超过该卡种上限',
  BALANCE_TRANSFER_HELD: '余额转移仍在冻结期内',
  BALANCE_TRANSFER_NOT_PENDING: '该卡没有待转移的余额',
  BALANCE_TRANSFER_PENDING: '仍有余额在转入此卡的途中，请先转移',
  BRANCH_OUT_OF_SCOPE: '超出您所属网点的范围',
  COUNTER_NOT_FOUND: '未找到柜台',
  COUNTER_INACTIVE: '柜台未启用',
  COUNTER_BUSY: '该柜台已有开启的钱箱',
  COUNTER_SESSION_MISMATCH: '这不是您登录时所在的柜台',
  DRAWER_NOT_FOUND: '未找到钱箱',
  DRAWER_NOT_OPEN: '您没有开启的钱箱，请先开启钱箱',
  DRAWER_ALREADY_OPEN: '您已有一个开启的钱箱',
  DRAWER_CLOSED: '钱箱已关闭，不能再收付现金',
  DRAWER_NOT_YOURS: '只有钱箱的持有人可以收付现金',
  DRAWER_CASH_INSUFFICIENT: '钱箱现金不足以支付',
  LOGIN_FAILED: '用户名或密码错误',
  ACCOUNT_LOCKED: '登录失败次数过多，账户暂时锁定',
  STAFF_NOT_FOUND: '未找到该员工',
  USERNAME_TAKEN: '用户名已被使用',
  PASSWORD_TOO_WEAK: '密码长度不符合要求',
  CURRENT_PASSWORD_WRONG: '当前密码错误',
  LAST_ADMIN: '至少需要保留一个启用的管理员账户',
  CARD_REMOVED: '操作完成前卡已离开读卡器，请重新放卡',
  CARD_AUTH_FAILED: '卡片拒绝了密钥',
  CARD_COMMAND_FAILED: '卡片或读卡器执行失败，请重试',
  CARD_UNSUPPORTED: '不支持此类卡片',
  CARD_DATA_INVALID: '卡内数据无法解析',
  PURSE_MAC_INVALID: '钱包校验失败',
  PLAN_ABORTED: '写卡过程被中断',
  AGENT_REPORT_PENDING: '卡片已处理，但后台尚未确认；读卡代理会继续重发',
  READER_NOT_FOUND: '未找到读卡器',
  READER_UNPLUGGED: '读卡器已断开',
  READER_BUSY: '读卡器正忙，请稍候',
  PCSC_UNAVAILABLE: '读卡服务（pcscd）不可用',
  NO_CARD_PRESENT: '读卡器上没有卡，请放卡',
  AGENT_ORIGIN_REFUSED: '读卡代理拒绝了本页面（请把管理台地址加入其允许来源）',
  KEYS_NOT_INITIALISED: '尚未生成卡片主密钥',
  AGENT_NOT_REGISTERED: '本机读卡代理尚未在后台登记',
  AGENT_DISABLED: '本机读卡代理已被停用',
  AGENT_OTHER_COUNTER: '读卡代理登记在其他柜台',
  PLAN_NOT_FOUND: '未找到写卡任务',
  PLAN_EXPIRED: '写卡任务已过期，请重新操作',
  PLAN_WRONG_CARD: '读卡器上的卡与本次操作的卡不一致',
  CARD_NOT_PERSONALISED: '该卡尚未完成个人化',
  CARD_ALREADY_PERSONALISED: '该卡已完成个人化',
  CARD_NOT_ISSUED: '只有已发行、未激活的卡才能个人化',
  LOAD_NOT_FOUND: '未找到充值记录',
  LOAD_AMOUNT_ABOVE_LIMIT: '充值金额超过单笔上限',
  LOAD_DAILY_LIMIT_EXCEEDED: '超过该卡当日充值上限',
  LOAD_BALANCE_ABOVE_MAX: '充值后余额将超过该卡种上限',
  LOAD_CARD_NOT_ACTIVE: '只有已激活的卡才能充值',
  LOAD_OPEN_ON_CARD: '该卡有未完成的充值，请先处理',
  LOAD_READ_REQUIRED: '充值前需要先读卡',
  LOAD_PURSE_UNREADABLE: '卡内钱包读取或校验失败',
  LOAD_STATE_INVALID: '该充值当前状态不允许此操作',
  BALANCE_CORRECTION_NOT_NEEDED: '卡内余额与后台余额一致，无需更正',
  BALANCE_CORRECTION_OPEN: '该卡已有待批准的余额更正',
  BALANCE_CORRECTION_NOT_PENDING: '该余额更正已处理',
  BALANCE_CORRECTION_SELF_APPROVAL: '须由另一位主管批准余额更正',
  BALANCE_CORRECTION_STALE: '后台余额已变化，请重新申请',
  QUARANTINE_RECORD_NOT_FOUND: '未找到该交易记录',
  QUARANTINE_NOT_OPEN: '该记录不在隔离中或已处理',
  QUARANTINE_PROPOSAL_OPEN: '该记录已有待批准的处理意见',
  QUARANTINE_PROPOSAL_NOT_FOUND: '未找到待批准的处理意见',
  QUARANTINE_SELF_APPROVAL: '不能批准自己提出的处理意见：须由另一位财务人员批准',
  OPERATOR_NOT_FOUND: '未找到运营商',
  OPERATOR_EXISTS: '该运营商编号或卡内代码已存在',
  TERMINAL_NOT_FOUND: '未找到终端',
  TERMINAL_EXISTS: '该终端编号已存在',
  TERMINAL_STATE_INVALID: '终端当前状态不允许此操作',
  CLEARING_DAY_INVALID: '营业日无效',
  CLEARING_CUTOFF_NOT_PASSED: '该营业日尚未到截止时间',
  CLEARING_DAY_CLOSED: '该营业日已批准或已结算，不能重新清算',
  CLEARING_RUN_BUSY: '另一个清算正在进行，请稍后',
  CLEARING_RUN_NOT_FOUND: '未找到清算批次',
  SETTLEMENT_STATE_INVALID: '清算当前状态不允许此步骤',
  SETTLEMENT_ABORT_TOO_LATE: '已下发银行指令，不能再撤销',
  SETTLEMENT_SELF_APPROVAL: '不能批准自己发起的清算：须由另一位财务人员批准',
  SETTLEMENT_PAYEE_ACCOUNT_MISSING: '有待付款的运营商没有银行账户',
  BANK_FILE_INVALID: '银行文件格式或控制总数不正确',
  BANK_CONFIRMATION_FILE_MISMATCH: '该回单对应的是另一份付款文件',
  PARTY_NOT_FOUND: '未找到该清算参与方',
  FEE_SCHEDULE_INVALID: '费率表内容有误',
  FEE_SCHEDULE_VERSION_EXISTS: '该费率表版本已存在，请刷新后重试',
  BRANCH_NOT_FOUND: '未找到网点',
  BRANCH_CLOSED: '网点已关闭',
  BRANCH_BUSY: '该网点仍有开启的钱箱，不能关闭',
  BRANCH_CODE_TAKEN: '该网点代码已被使用',
  COUNTER_CODE_TAKEN: '该柜台代码在本网点已被使用',
  AGENT_EXISTS: '该读卡代理编号已登记',
};

const en: Readonly<Record<string, string>> = {
  NETWORK: 'The console server could not be reached; check the network',
  AGENT_NETWORK: "This workstation's reader agent is not answering; is it running?",
  AGENT_NOT_CONFIGURED: 'No reader agent is set up on this workstation',
  SESSION_EXPIRED: 'Your session has expired; please sign in again',
  SETTLEMENT_SELF_APPROVAL: 'You started this run: another finance user must approve it',
};

const messages: Record<Lang, Readonly<Record<string, string>>> = { 'zh-CN': zh, en };

interface Issue {
  path?: unknown;
  message?: unknown;
}

function fieldsOf(err: ApiError): string {
  const issues = err.details?.issues;
  if (!Array.isArray(issues)) return '';
  const paths = (issues as Issue[])
    .map((i) => (typeof i.path === 'string' ? i.path.replace(/^(body|query|params)\./, '') : ''))
    .filter((p) => p !== '');
  return paths.length === 0 ? '' : ` (${[...new Set(paths)].join(', ')})`;
}

export function errorCode(err: unknown): string | undefined {
  return err instanceof ApiError ? err.code : undefined;
}

/** What to tell the user about a failed call, in their language when the code is known. */
export function errorText(err: unknown, lang: Lang): string {
  if (!(err instanceof ApiError)) {
    return lang === 'en' ? 'Something went wrong' : '操作失败';
  }
  const known = messages[lang][err.code];
  const text = known ?? (err.message !== '' ? err.message : err.code);
  return `${text}${err.code === 'VALIDATION_FAILED' ? fieldsOf(err) : ''}`;
}

/**
 * The fields a service refused (VALIDATION_FAILED), as paths without their location:
 * "body.rates.ride" → "rates.ride". Empty for any other failure.
 */
export function refusedFields(err: unknown): readonly string[] {
  if (!(err instanceof ApiError) || err.code !== 'VALIDATION_FAILED') return [];
  const issues = err.details?.issues;
  if (!Array.isArray(issues)) return [];
  return (issues as Issue[])
    .map((i) => (typeof i.path === 'string' ? i.path.replace(/^(body|query|params)\./, '') : ''))
    .filter((p) => p !== '');
}
