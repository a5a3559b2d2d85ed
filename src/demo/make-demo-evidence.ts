// Generates the committed demo evidence files in src/demo/evidence/ (plus manifest.json) for the demo
// institution 修武县郇封镇卫生院. A dev tool only: the app at runtime reads the committed files + manifest.json.
// Run:  npx tsx src/demo/make-demo-evidence.ts
// Needs Debian `chromium` (/usr/bin/chromium) and `fonts-noto-cjk`; uses playwright-core, sharp, pdf-lib, docx,
// exceljs, yauzl/yazl from node_modules. Output is deterministic (seeded noise, fixed dates and metadata).
// All documents are invented demonstration material (names, numbers, seals) and say so in their footer.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import ExcelJS from 'exceljs';
import { PDFDocument, PDFName } from 'pdf-lib';
import { chromium, type Browser } from 'playwright-core';
import sharp from 'sharp';
import yauzl from 'yauzl';
import yazl from 'yazl';

process.env.TZ = 'Asia/Shanghai';
const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = join(HERE, 'evidence');
const STANDARD = join(HERE, '../../standards/township-2023-demo.json');
const INST = '修武县郇封镇卫生院';
const W = 1240, H = 1754; // A4 at 150 DPI
type Entry = { file: string; title: string; documentDate: string; issuingDepartment: string; items: string[]; pages?: [number, number] };
type Meta = Omit<Entry, 'pages'>;
const manifest: Entry[] = [];

// ---------- deterministic helpers ----------
function prng(seed: number) { return () => { seed = (seed + 0x6d2b79f5) | 0; let t = Math.imul(seed ^ (seed >>> 15), 1 | seed); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; }; }
const rnd = prng(20260115);
const pick = <T,>(a: T[]): T => a[Math.floor(rnd() * a.length)]!;
const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
const at = (iso: string) => new Date(`${iso}T09:00:00+08:00`);
const SUR = '王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭肖田董袁潘蒋蔡杜程苏魏吕丁任沈姚崔秦史贺毛郝段'.split('');
const GIV = { 女: '秀英 桂兰 玉梅 淑珍 凤英 海燕 素芳 红霞 金花 翠萍 丽君 春梅 秀兰 月娥 玉珍 小红 爱琴'.split(' '), 男: '建军 国强 志明 文华 春生 德胜 保国 长顺 永福 新民 国庆 振华 满仓 建设 卫东 宝山 俊杰'.split(' ') };
const who = (sex: '男' | '女' = rnd() < 0.5 ? '男' : '女'): [string, string] => [pick(SUR) + pick(GIV[sex]), sex];
const person = (sex?: '男' | '女') => who(sex)[0];
const VILL = '郇封村 小位村 东岸上村 西岸上村 马坊村 南孟村 北孟村 大文案村 小文案村 周流村'.split(' ');
// staff roster: name, department, title
const STAFF: [string, string, string][] = [['李建国', '院办公室', '院长'], ['王芳', '院办公室', '主任'], ['赵文博', '医务科', '副院长'], ['张丽娟', '护理部', '主任'], ['杨晓燕', '院感科', '主管护师'], ['周海涛', '公共卫生科', '科长'], ['刘秀英', '药剂科', '主管药师'], ['陈志刚', '内科', '主治医师'], ['吴玉兰', '内科', '护士长'], ['孙建华', '外科', '主治医师'], ['马红梅', '妇产科', '主治医师'], ['胡永强', '检验科', '检验师'], ['郭静', '放射科', '医师'], ['何春燕', '内科', '护师'], ['高磊', '急诊科', '医师'], ['林雪梅', '住院部', '护士长'], ['罗桂芝', '中医科', '主治医师'], ['郑国庆', '财务科', '会计'], ['梁晓东', '公共卫生科', '医师'], ['宋丽萍', '公共卫生科', '护师'], ['谢红霞', '预防接种门诊', '护师'], ['韩冬梅', '门诊部', '护士'], ['唐志远', '全科医疗科', '医师'], ['冯淑珍', '住院部', '护师'], ['董小军', '总务科', '科员'], ['程丽', '药剂科', '药师'], ['曹雅婷', '住院部', '护士'], ['袁立新', '内科', '医师'], ['邓敏', '公共卫生科', '医师'], ['许文杰', '外科', '医师']];

// ---------- HTML building blocks ----------
const CSS = `*{box-sizing:border-box}body{margin:0;font-family:'Noto Serif CJK SC',serif;font-size:10.5pt;line-height:1.65;color:#151515}
.sheet{width:210mm;height:297mm;padding:15mm 16mm 12mm;position:relative;background:#fff;overflow:hidden}
.org{text-align:center;font-size:11pt;letter-spacing:2pt}h1{text-align:center;font-size:17pt;margin:1mm 0 3mm;letter-spacing:1pt}
h2{font-size:12pt;margin:3mm 0 1mm;font-family:'Noto Sans CJK SC';break-after:avoid}.sub{text-align:center;font-size:9.5pt;margin-bottom:3mm}
table{width:100%;border-collapse:collapse;font-size:9pt;margin:1.5mm 0}th,td{border:.7pt solid #222;padding:.9mm 1.2mm;vertical-align:middle}
th{background:#ececec;font-family:'Noto Sans CJK SC';font-weight:bold}td.c,.c td{text-align:center}tr{page-break-inside:avoid}
.form td{height:8.3mm}.nw td:first-child,.nw td:nth-last-child(-n+2){white-space:nowrap}.kv td:nth-child(odd){width:17%;background:#f4f4f4;text-align:center}
.h{font-family:'Noto Sans CJK SC';color:#1d2c6e;display:inline-block;letter-spacing:-.3pt}
.demo{position:absolute;bottom:5mm;left:0;right:0;text-align:center;font-size:7.5pt;color:#777}
.sign{display:flex;justify-content:space-between;margin-top:4mm}.photo{border:1pt dashed #555;height:52mm;display:flex;align-items:center;justify-content:center;background:linear-gradient(160deg,#ddd,#aaa 70%,#888);color:#222;font-size:9pt}
.lined{background:repeating-linear-gradient(transparent 0 8.6mm,#8fa3b5 8.6mm 8.8mm);line-height:8.8mm;min-height:200mm}
p{margin:.8mm 0;text-indent:2em}.red{color:#c1121f}.redline{border-bottom:1.5pt solid #c1121f;margin:1mm 0 4mm}`;
const h = (s: string | number) => `<span class="h" style="transform:rotate(${(rnd() * 3 - 1.5).toFixed(1)}deg) skewX(-9deg)">${s}</span>`;
const tbl = (head: string[], rows: (string | number)[][], cls = '') => `<table class="${cls}"><thead><tr>${head.map((x) => `<th>${x}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
const kv = (pairs: [string, string][], per = 2) => { const rows: string[][] = []; for (let i = 0; i < pairs.length; i += per) rows.push(pairs.slice(i, i + per).flat()); return `<table class="kv">${rows.map((r) => `<tr>${r.map((c, i) => `<td${i === r.length - 1 && r.length < per * 2 ? ` colspan="${per * 2 - r.length + 1}"` : ''}>${c}</td>`).join('')}</tr>`).join('')}</table>`; };
const head = (t: string, sub = '') => `<div class="org">${INST}</div><h1>${t}</h1>${sub ? `<div class="sub">${sub}</div>` : ''}`;
const blank = (n: number, cols: number) => Array.from({ length: n }, () => Array(cols).fill(''));
const ps = (...xs: string[]) => xs.map((x) => `<p>${x}</p>`).join('');
const DEMO = '<div class="demo">演示样例 · 非真实文件 · 基层行证据档案系统（Dossier）演示数据</div>';
const seal = (name = INST, sub = '演示样章', x = 0, y = 0) => `<svg viewBox="0 0 200 200" style="position:absolute;width:40mm;height:40mm;right:${22 + x}mm;bottom:${28 + y}mm;opacity:.82;transform:rotate(${int(-12, 12)}deg)"><defs><path id="arc" d="M 46.3 131 A 62 62 0 1 1 153.7 131"/></defs><circle cx="100" cy="100" r="93" fill="none" stroke="#d21f2c" stroke-width="6"/><text fill="#d21f2c" font-size="${Math.min(24, 220 / name.length)}" letter-spacing="${(245 - 220) / (name.length - 1)}" font-family="Noto Sans CJK SC" font-weight="bold"><textPath href="#arc" startOffset="50%" text-anchor="middle">${name}</textPath></text><text x="100" y="124" fill="#d21f2c" font-size="58" text-anchor="middle">★</text><text x="100" y="163" fill="#d21f2c" font-size="17" text-anchor="middle" font-family="Noto Sans CJK SC">${sub}</text></svg>`;
const sheet = (body: string, extra = '') => `<div class="sheet">${body}${extra}${DEMO}</div>`;
const doc = (body: string) => `<!doctype html><html><head><meta charset="utf-8"><style>${CSS}</style></head><body>${body}</body></html>`;
const signin = (n: number, total: number) => STAFF.slice(0, n).map(([nm, dep, t], i) => [i + 1, nm, dep, t, i === 6 || i === 13 ? '' : h(nm), i === 6 || i === 13 ? '休假' : h(int(82, 100))]).concat(blank(total - n, 6));

// ---------- scanned documents (pages are full A4 sheets) ----------
type Look = 'grey' | 'tint' | 'colour';
type Scan = Meta & { look: Look; pages: string[] };
const scans: Scan[] = [
  { file: '01-yiliao-jigou-zhiye-xukezheng.jpg', title: '医疗机构执业许可证（副本）', documentDate: '2025-05-20', issuingDepartment: '院办公室', items: ['1.1.1', '1.2.1'], look: 'colour', pages: [sheet(`<style>.kv td:nth-child(odd){width:24%}</style><div style="border:3pt double #8a6d1f;height:100%;padding:14mm 14mm;background:#fbf6e6"><h1 style="font-size:26pt;letter-spacing:6pt;margin-top:8mm">医疗机构执业许可证</h1><div class="sub" style="font-size:14pt">（副　本）</div>
${kv([['登 记 号', 'DEMO-410821-0000-00 <small>（演示编号）</small>'], ['机构名称', INST], ['地　　址', '修武县郇封镇建设路18号'], ['法定代表人', '李建国'], ['主要负责人', '李建国'], ['所有制形式', '全民所有制'], ['医疗机构类别', '乡镇卫生院'], ['经营性质', '非营利性（政府办）'], ['床位（牙椅）', '床位40张'], ['服务对象', '社会'], ['诊疗科目', '预防保健科／全科医疗科／内科／外科／妇产科；妇科专业／儿科／急诊医学科／康复医学科／医学检验科／医学影像科；X线诊断专业；超声诊断专业；心电诊断专业／中医科；内科专业；针灸科专业；推拿科专业'], ['有效期限', '自2025年05月20日至2030年05月19日']], 1).replace('<table class="kv"', '<table class="kv" style="font-size:11pt;margin-top:8mm"')}
<div style="margin-top:10mm;display:flex;justify-content:space-between;font-size:11pt"><div style="border:1pt solid #555;width:30mm;height:30mm;display:flex;align-items:center;justify-content:center;font-size:8pt">（二维码）</div><div style="text-align:right;line-height:2.2">发证机关：修武县卫生健康委员会<br>发证日期：2025年05月20日<br>校验记录：2026年01月 已校验</div></div>
<div style="text-align:center;font-size:9pt;margin-top:14mm;color:#555">中华人民共和国国家卫生健康委员会监制（演示仿制样张）</div></div>`, seal('修武县卫生健康委员会', '演示样章', 6, 42))] },
  { file: '02-ganran-peixun-qiandao-2025q2.jpg', title: '2025年第二季度院感培训签到表', documentDate: '2025-06-12', issuingDepartment: '院感科', items: ['3.3.2', '3.3.1'], look: 'grey', pages: [sheet(`${head('2025年第二季度院感培训签到表')}${kv([['培训主题', '手卫生规范与医院感染预防控制'], ['培训时间', '2025年6月12日 14:30—16:30'], ['培训地点', '门诊楼三楼会议室'], ['主 讲 人', '杨晓燕（院感科）'], ['培训形式', '集中授课＋现场操作考核'], ['培训学时', '2学时']])}
${tbl(['序号', '姓名', '科室', '职称/岗位', '本人签名', '考核成绩'], signin(24, 24), 'form c')}<p>应到 <u> 26 </u> 人，实到 <u> 24 </u> 人，缺席 <u> 2 </u> 人（刘秀英、何春燕 休假，已安排补训）。</p><div class="sign"><span>记录人：${h('杨晓燕')}</span><span>院感科负责人：${h('赵文博')}</span><span>日期：${h('2025.6.12')}</span></div>`)] },
  { file: '03-tufa-gonggong-weisheng-yingji-yanlian-jilu.jpg', title: '突发公共卫生事件应急演练记录', documentDate: '2025-09-16', issuingDepartment: '公共卫生科', items: ['1.1.3', '2.3.6'], look: 'tint', pages: [sheet(`${head('突发公共卫生事件应急演练记录')}${kv([['演练名称', '群体性不明原因腹泻事件应急处置演练'], ['演练时间', '2025年9月16日 9:00—11:00'], ['演练地点', '卫生院门诊楼、郇封村卫生室'], ['组织部门', '公共卫生科'], ['总 指 挥', '李建国'], ['参演人数', '32人'], ['演练形式', '实战演练'], ['观摩人员', '修武县疾控中心 2人']])}
<h2>一、演练过程</h2><div class="lined" style="min-height:0">${['9:00 郇封村卫生室报告：某家宴后12人出现腹泻、呕吐，立即电话报告卫生院预检分诊及公共卫生科。', '9:10 启动应急预案，应急领导小组到位，流调组、救治组、消杀组、后勤组分头行动。', '9:25 救治组开通绿色通道，分诊、补液、留取粪便及剩余食物标本，危重1人联系县医院转诊。', '9:40 公共卫生科在2小时内完成突发公共卫生事件网络直报，并电话报告县卫健委、县疾控中心。', '10:10 流调组入户开展流行病学调查，消杀组对病家及厨房进行终末消毒，发放健康教育资料。', '10:40 演练结束，总指挥点评，各组汇报，填写评估表。'].map((x) => h(x)).join('<br>')}</div>
<h2>二、演练照片</h2><div style="display:flex;gap:4mm"><div class="photo" style="flex:1">演练照片：预检分诊与患者救治</div><div class="photo" style="flex:1">演练照片：流行病学调查与消杀</div></div>
<h2>三、演练评估与改进措施</h2><div class="lined" style="min-height:0">${h('各组职责明确、响应迅速，信息报告及时。不足：应急物资领取登记不规范，消杀人员防护服穿脱不熟练。')}<br>${h('改进：完善应急物资台账，10月组织防护用品穿脱专项培训，每半年演练一次。')}</div>
<div class="sign"><span>记录人：${h('邓敏')}</span><span>公共卫生科负责人：${h('周海涛')}</span><span>总指挥：${h('李建国')}</span></div>`)] },
  { file: '04-xiaodu-gongyingshi-zhiliang-jianchabiao.jpg', title: '消毒供应室质量检查表', documentDate: '2025-11-05', issuingDepartment: '护理部', items: ['3.3.3'], look: 'grey', pages: [sheet(`${head('消毒供应室质量检查表', '检查日期：2025年11月5日　　检查人：张丽娟、杨晓燕')}
${tbl(['检查项目', '检查内容与标准', '分值', '得分', '存在问题'], [['布局流程', '去污区、检查包装及灭菌区、无菌物品存放区划分明确，人流物流由污到洁、不交叉不逆流', 10, h(10), ''], ['回收分类', '污染器械密闭回收，分类放置，回收工具每次使用后清洗消毒', 10, h(9), h('回收箱未标识')], ['清洗消毒', '清洗质量目测及带光源放大镜检查合格；清洗剂、润滑剂配比正确有记录', 15, h(14), ''], ['检查包装', '包内、包外化学指示物齐全；包装完好，标识清楚（名称、灭菌日期、失效期、操作者）', 15, h(13), h('2个包标识不全')], ['灭菌监测', '压力蒸汽灭菌器每日B-D试验；每锅物理监测、化学监测；每周生物监测，记录完整可追溯', 20, h(20), ''], ['储存发放', '无菌物品存放区温度＜24℃、湿度＜70%；物品离地20cm、离墙5cm，按有效期先进先出', 10, h(9), h('湿度记录漏1天')], ['消毒隔离', '工作人员按区域着装，手卫生依从性符合要求；物表、空气消毒有记录', 10, h(10), ''], ['职业防护', '去污区配备防护面罩、防水围裙、手套；锐器伤处置流程上墙', 10, h(10), '']], '')}
<p style="text-indent:0">合计得分：${h('95')} 分（满分100分）。</p><h2>整改意见</h2><div class="lined" style="min-height:0">${h('1. 回收箱粘贴“污染器械”标识；2. 包装岗双人核对标识；3. 温湿度记录每日两次，护士长每周检查。')}<br>${h('整改期限：2025年11月15日前，护理部跟踪复查。')}</div>
<div class="sign"><span>被检查科室负责人：${h('林雪梅')}</span><span>检查人：${h('张丽娟')}</span></div>`)] },
  { file: '05-yiliao-feiwu-jiaojie-taizhang-2025-12.png', title: '医疗废物交接登记台账（2025年12月）', documentDate: '2025-12-31', issuingDepartment: '院感科', items: ['3.3.4'], look: 'grey', pages: [sheet(`${head('医疗废物交接登记台账', '2025年12月　　暂存时间不超过48小时，交接双方签名，台账保存3年')}
${tbl(['日期', '科室', '感染性(kg)', '损伤性(kg)', '病理性(kg)', '药物性(kg)', '交接人', '接收人', '转运时间'], Array.from({ length: 26 }, (_, i) => { const d = 1 + Math.floor(i * 1.2); return [h(`12.${d}`), h(pick(['门诊部', '住院部', '检验科', '外科', '妇产科', '预防接种门诊'])), h((rnd() * 9 + 1.5).toFixed(1)), h((rnd() * 1.4).toFixed(1)), i % 9 === 4 ? h('0.3') : '', i % 11 === 7 ? h('0.2') : '', h(pick(['冯淑珍', '曹雅婷', '韩冬梅', '何春燕'])), h('董小军'), h(`${int(14, 16)}:${int(10, 50)}`)]; }), 'form c')}
<p>医疗废物集中处置单位收运：每周二、周五；转移联单编号见联单存根。</p><div class="sign"><span>院感科审核：${h('杨晓燕')}</span><span>日期：${h('2025.12.31')}</span></div>`)] },
  { file: '06-qiangjiuche-jiancha-dengji-taizhang-2026-01.jpg', title: '抢救车药品及物品检查登记台账（2026年1月）', documentDate: '2026-01-28', issuingDepartment: '护理部', items: ['1.5.2'], look: 'grey', pages: [sheet(`${head('抢救车药品及物品检查登记台账', '科室：急诊科　　2026年1月　　抢救车实行“五定”管理，每日检查，用后及时补充')}
${tbl(['日期', '药品数量及有效期', '简易呼吸器', '吸引器', '除颤仪充放电', '氧气瓶压力', '封条完好', '检查者', '护士长'], Array.from({ length: 28 }, (_, i) => [`1月${i + 1}日`, h('✓'), h('✓'), h('✓'), i % 7 === 0 ? h('正常') : h('✓'), h(`${int(8, 12)}MPa`), i === 9 ? h('启封补药') : h('✓'), h(pick(['高磊', '韩冬梅', '曹雅婷'])), i % 7 === 6 ? h('林雪梅') : '']), 'c')}
<p>备注：1月10日抢救使用肾上腺素注射液2支，当日补齐并重新封存（封条号 0110）。</p>`)] },
  { file: '07-jiankang-jiaoyu-jiangzuo-qiandaobiao.jpg', title: '健康教育讲座签到表（高血压防治知识讲座）', documentDate: '2025-10-08', issuingDepartment: '公共卫生科', items: ['2.3.2'], look: 'tint', pages: [sheet(`${head('健康教育讲座签到表')}${kv([['讲座主题', '全国高血压日——“知晓血压 健康生活”高血压防治知识讲座'], ['时　　间', '2025年10月8日 上午9:00'], ['地　　点', '郇封村文化广场'], ['主 讲 人', '周海涛 梁晓东']])}
${tbl(['序号', '姓名', '性别', '年龄', '村（居）', '联系电话', '签名'], Array.from({ length: 23 }, (_, i) => { const [n, sx] = who(); return [i + 1, h(n), h(sx), h(int(45, 82)), h(pick(VILL)), h(`13${int(0, 9)}****${int(1000, 9999)}`), i % 6 === 3 ? h('按手印') : h(n)]; }), 'form c')}
<p>发放《高血压防治核心信息》折页 60 份，免费测血压 48 人次，发现血压偏高 9 人已登记转慢病门诊。</p><div class="sign"><span>记录人：${h('宋丽萍')}</span><span>日期：${h('2025.10.8')}</span></div>`)] },
  { file: '08-yujian-fenzhen-dengji-taizhang-2026-01.jpg', title: '预检分诊登记台账', documentDate: '2026-01-12', issuingDepartment: '医务科', items: ['1.2.4', '2.3.6'], look: 'grey', pages: [sheet(`${head('预检分诊登记台账', '门诊预检分诊处　　2026年1月12日')}
${tbl(['时间', '姓名', '性别', '年龄', '体温(℃)', '主要症状', '流行病学史', '分诊去向', '分诊人'], Array.from({ length: 27 }, (_, i) => { const t = (36.2 + rnd() * (i % 5 === 2 ? 2.6 : 0.9)).toFixed(1); const fever = Number(t) >= 37.3; const mm = 480 + i * 19 + int(0, 12); const [n, sx] = who(); return [h(`${Math.floor(mm / 60)}:${String(mm % 60).padStart(2, '0')}`), h(n), h(sx), h(int(3, 85)), h(t), h(fever ? pick(['发热、咳嗽', '发热、咽痛', '发热、乏力']) : pick(['头晕', '腹痛', '咳嗽', '腰腿痛', '复诊取药', '血压复查'])), h('无'), h(fever ? '发热诊室' : pick(['内科', '全科', '外科', '中医科'])), h('韩冬梅')]; }), 'form c')}
<p>体温≥37.3℃者一律引导至发热诊室就诊，发现传染病疑似病例按规定登记并报告公共卫生科。</p>`)] },
  { file: '09-xiaofang-anquan-yanlian-jilu.jpg', title: '消防安全应急演练记录', documentDate: '2025-11-09', issuingDepartment: '院办公室', items: ['4.5.1'], look: 'grey', pages: [sheet(`${head('消防安全应急演练记录')}${kv([['演练时间', '2025年11月9日 15:00—16:00'], ['演练地点', '住院楼二层及院内空地'], ['组织科室', '院办公室、总务科'], ['参加人数', '41人'], ['演练科目', '初期火灾扑救、病人疏散、灭火器使用'], ['指导单位', '修武县消防救援大队（演示）']])}
<h2>演练经过</h2><div class="lined" style="min-height:0">${['15:00 住院楼二层配餐间模拟冒烟起火，值班护士发现后立即报警并启动消防应急预案。', '15:03 灭火行动组使用干粉灭火器、室内消火栓扑救初期火灾，通讯联络组拨打119（模拟）。', '15:05 疏散引导组用湿毛巾捂口鼻、弯腰低姿，引导住院患者及陪护沿安全出口疏散至院内空地。', '15:12 清点人数：住院患者18人、陪护11人、工作人员12人全部安全疏散。', '15:20 总务科讲解灭火器“提、拔、握、压”使用方法，职工逐一实操。'].map((x) => h(x)).join('<br>')}</div>
<h2>演练照片</h2><div style="display:flex;gap:4mm"><div class="photo" style="flex:1">演练照片：灭火器实操</div><div class="photo" style="flex:1">演练照片：患者疏散</div></div>
<h2>总结评估</h2><div class="lined" style="min-height:0">${h('疏散用时12分钟，符合要求；部分新职工不熟悉消火栓位置，总务科12月前完成消防设施位置图上墙。')}</div>
<div class="sign"><span>记录人：${h('董小军')}</span><span>负责人：${h('王芳')}</span></div>`)] },
  { file: '10-huli-zhiliang-jiancha-jilubiao.jpg', title: '护理质量检查记录表（2025年12月）', documentDate: '2025-12-20', issuingDepartment: '护理部', items: ['3.2.1', '3.2.3'], look: 'tint', pages: [sheet(`${head('护理质量检查记录表', '受检病区：住院部　　检查日期：2025年12月20日　　检查人：张丽娟、吴玉兰')}
${tbl(['检查项目', '检查标准', '标准分', '得分', '存在问题及整改'], [['分级护理', '护理级别与病情相符，巡视及时，一级护理每小时巡视', 15, h(14), h('1例巡视记录缺项')], ['护理文书', '体温单、医嘱单、护理记录规范及时，签名完整', 15, h(13), h('2份护理记录涂改')], ['患者身份识别', '腕带信息准确，操作前双人核对', 10, h(10), ''], ['风险评估', '跌倒、压疮、导管滑脱风险评估及时，高危有警示标识', 15, h(14), h('1例跌倒高危未挂标识')], ['急救物品', '抢救车药品物品完好率100%', 10, h(10), ''], ['消毒隔离', '治疗室分区，无菌物品合格，手卫生正确', 15, h(15), ''], ['不良事件', '护理不良事件按规定上报，有分析整改', 10, h(9), h('上报时限超1天')], ['病区管理', '病区整洁安静，床单位规范', 10, h(10), '']], '')}
<p style="text-indent:0">总分：${h('95')} 分。</p><h2>科室整改反馈</h2><div class="lined" style="min-height:0">${h('已组织科内学习《护理文书书写规范》，完善跌倒高危标识，12月28日护理部复查合格。')}</div>
<div class="sign"><span>护士长：${h('林雪梅')}</span><span>护理部主任：${h('张丽娟')}</span></div>`)] },
];
// multi-page scans: image-only PDFs (.pdf) and a multi-page TIFF (.tif)
const rx = () => Array.from({ length: 15 }, (_, i) => { const ab = rnd() < 0.2, ok = rnd() > 0.12; return [i + 1, h(`${int(10, 12)}.${int(1, 28)}`), h(int(4, 86)), h(pick(['上呼吸道感染', '高血压', '2型糖尿病', '慢性胃炎', '支气管炎', '腰肌劳损', '冠心病'])), h(int(1, 5)), h(ab ? 1 : 0), h(rnd() < 0.1 ? 1 : 0), h(int(1, 4)), h((rnd() * 120 + 12).toFixed(2)), h(pick(['陈志刚', '唐志远', '袁立新', '孙建华'])), h(pick(['刘秀英', '程丽'])), h(ok ? '合理' : '不合理'), ok ? '' : h(pick(['用法用量不适宜', '无适应证使用抗菌药', '诊断书写不全']))]; });
const cert = (kind: string, nm: string, sex: string, cat: string, scope: string, no: string) => `<div style="border:1pt solid #333;padding:5mm;margin:4mm 0;height:118mm;position:relative"><h1 style="font-size:15pt">${kind}</h1><div style="display:flex;gap:6mm"><div style="width:28mm;height:36mm;border:1pt solid #666;background:linear-gradient(#bbb,#888);font-size:8pt;display:flex;align-items:center;justify-content:center">照片</div>${kv([['姓　　名', nm], ['性　　别', sex], ['证书编码', no], ['执业类别', cat], ['执业范围', scope], ['执业地点', INST], ['发证机关', '焦作市卫生健康委员会（演示）']], 1)}</div><div style="position:absolute;right:12mm;bottom:6mm">${h('此复印件与原件一致　核对人：赵文博　2025.4.10')}</div></div>`;
const ADR = [['2025.2.14', '男/67', '阿莫西林胶囊', '0.5g tid 口服', '全身散在皮疹、瘙痒', '停药，氯雷他定口服，3日痊愈', '一般'], ['2025.3.22', '女/54', '硝苯地平缓释片', '20mg bid 口服', '双下肢水肿', '换用缬沙坦，好转', '一般'], ['2025.5.8', '女/71', '二甲双胍片', '0.5g tid 口服', '恶心、腹泻', '改餐后服用，减量后好转', '一般'], ['2025.6.30', '男/38', '头孢呋辛钠注射液', '1.5g 静滴', '输液中胸闷、皮疹', '立即停药，地塞米松静推，痊愈', '严重'], ['2025.8.11', '女/62', '卡托普利片', '12.5mg tid 口服', '干咳', '停药换药，好转', '一般'], ['2025.9.3', '男/45', '左氧氟沙星注射液', '0.5g 静滴', '静脉炎', '停药、热敷，痊愈', '一般'], ['2025.10.17', '女/29', '复方甘草片', '3片 tid 口服', '头晕、乏力', '停药观察，痊愈', '一般'], ['2025.11.26', '男/73', '阿司匹林肠溶片', '100mg qd 口服', '黑便', '停药，转县医院诊治，好转', '严重'], ['2025.12.9', '女/58', '丹参注射液（演示）', '静滴', '寒战、发热', '停药、对症处理，痊愈', '新的']].map((r, i) => [i + 1, h(r[0]!), h(person(r[1]!.startsWith('男') ? '男' : '女')), h(r[1]!), h(r[2]!), h(r[3]!), h(r[4]!), h(r[5]!), h(r[6]!), h(pick(['刘秀英', '程丽']))]);
const adrHead = ['序号', '报告日期', '患者姓名', '性别/年龄', '怀疑药品', '用法用量', '不良反应表现', '处理及转归', '类型', '报告人'];
scans.push(
  { file: '11-yaoshi-guanli-weiyuanhui-huiyi-jilu.pdf', title: '药事管理与药物治疗学委员会会议记录（2025年第三次）', documentDate: '2025-10-28', issuingDepartment: '药剂科', items: ['3.4.1', '3.4.3'], look: 'tint', pages: [
    sheet(`${head('会议记录', '药事管理与药物治疗学委员会')}${kv([['会议名称', '药事管理与药物治疗学委员会2025年第三次会议'], ['时　　间', '2025年10月28日 15:00'], ['地　　点', '门诊楼三楼会议室'], ['主 持 人', '赵文博'], ['记 录 人', '程丽'], ['应到/实到', '9人/9人']])}<p style="text-indent:0">出席：赵文博、刘秀英、陈志刚、孙建华、张丽娟、杨晓燕、罗桂芝、唐志远、程丽</p><div class="lined">${['议题一：通报第三季度处方点评结果。刘秀英：共抽查门诊处方300张，合格率95.3%，不合理处方14张，', '主要为用法用量不适宜、无适应证使用抗菌药物，已反馈至个人并纳入绩效考核。', '议题二：抗菌药物使用情况。门诊抗菌药物使用率17.6%，较上季度下降2.1个百分点；', '住院患者抗菌药物使用强度32.4DDDs，低于控制目标40。', '议题三：药品不良反应监测。三季度上报ADR 3例，其中严重1例（头孢呋辛钠），', '已按规定在国家药品不良反应监测系统上报，组织全院学习过敏性休克抢救流程。', '议题四：基本药物配备使用。基本药物品种占比72.5%，使用金额占比86.1%，符合要求。'].map((x) => h(x)).join('<br>')}</div>`),
    sheet(`<div class="lined" style="margin-top:6mm">${['讨论：陈志刚建议对上呼吸道感染处方开展专项点评；罗桂芝建议增加中成药合理使用点评内容。', '决议：', '1. 第四季度开展上呼吸道感染抗菌药物专项处方点评，药剂科负责，12月底前完成；', '2. 修订《抗菌药物分级管理制度》，11月提交院务会审议；', '3. 每季度公示处方点评结果，连续两次不合格者暂停处方权一个月；', '4. 加强药品不良反应监测培训，各科室指定一名联络员。'].map((x) => h(x)).join('<br>')}</div><div class="sign"><span>主持人：${h('赵文博')}</span><span>记录人：${h('程丽')}</span></div>`, seal(INST, '药事委员会 演示', 0, 40)),
  ] },
  { file: '12-chufang-dianping-jilu-2025q4.pdf', title: '2025年第四季度门诊处方点评记录', documentDate: '2026-01-08', issuingDepartment: '药剂科', items: ['3.4.3'], look: 'grey', pages: [1, 2].map((p) => sheet(`${head('门诊处方点评工作表', `2025年第四季度　第${p}页／共2页　　点评人：刘秀英、程丽`)}${tbl(['序号', '处方日期', '年龄', '诊断', '药品品种数', '抗菌药', '注射剂', '基本药物品种数', '处方金额', '处方医师', '审核调配药师', '是否合理', '存在问题'], rx().map((r) => { r[0] = Number(r[0]) + (p - 1) * 15; return r; }), 'form c').replace('<table', '<table style="font-size:7.6pt"')}${p === 2 ? `<h2>点评汇总</h2>${kv([['点评处方数', '30张'], ['平均用药品种数', '2.6'], ['抗菌药物使用率', '18.3%'], ['注射剂使用率', '9.8%'], ['基本药物占比', '86.5%'], ['处方合格率', '90.0%']], 3)}<p>不合理处方已反馈处方医师并纳入月度绩效考核，典型问题在院周会通报。</p>` : ''}`)) },
  { file: '13-cunweishengshi-dudao-kaohe-jilu.pdf', title: '村卫生室督导考核记录（2025年第三季度）', documentDate: '2025-08-20', issuingDepartment: '医务科', items: ['1.1.2'], look: 'grey', pages: ['郇封村卫生室', '东岸上村卫生室'].map((v, i) => sheet(`${head('村卫生室督导考核记录表', `被考核单位：${v}　　考核日期：2025年8月${20 + i}日　　乡村一体化管理季度考核`)}${tbl(['考核项目', '考核内容', '分值', '得分', '扣分原因'], [['规章制度', '乡村一体化管理制度、岗位职责上墙，执行有记录', 10], ['基本医疗', '门诊日志、处方规范，常见病诊疗符合规范', 20], ['公共卫生', '健康档案更新、高血压糖尿病随访、老年人体检完成进度', 25], ['药品管理', '药品由卫生院统一配送，账物相符，无过期药品', 15], ['院感管理', '消毒记录、医疗废物交接登记台账完整', 15], ['收费公示', '执行零差率销售，收费项目及价格公示', 10], ['群众满意度', '随机电话回访5户', 5]].map((r) => { const s = Number(r[2]) - (rnd() < 0.4 ? int(1, 3) : 0); return [...r, h(s), s < Number(r[2]) ? h(pick(['随访记录不全', '消毒记录漏记', '档案信息未更新', '公示内容未更新'])) : '']; }), 'form')}
<h2>督导意见</h2><div class="lined" style="min-height:0">${h('总体运行规范。需按月更新健康档案，医疗废物交接按时登记。下季度复查整改情况。')}</div><div class="sign"><span>督导人：${h('赵文博')} ${h('周海涛')}</span><span>村医签字：${h(person())}</span></div>`)) },
  { file: '14-weisheng-jishu-renyuan-zhiye-zige-hecha.pdf', title: '卫生技术人员执业资格核查表及证书复印件', documentDate: '2025-04-10', issuingDepartment: '医务科', items: ['1.3.2', '1.3.1'], look: 'grey', pages: [
    sheet(`${head('卫生技术人员执业资格核查表', '核查日期：2025年4月10日　　核查人：赵文博')}${tbl(['序号', '姓名', '科室', '资格类别', '执业证书编码（演示）', '执业范围', '注册地点一致', '核查结果'], STAFF.filter(([, d]) => !/办公室|财务|总务/.test(d)).slice(0, 24).map(([n, d, t], i) => [i + 1, n, d, /护/.test(t) ? '护士' : /药/.test(t) ? '药师' : /检验/.test(t) ? '技师' : '医师', `DEMO-${410821 + i}-${String(1000 + i * 37).padStart(6, '0')}`, /护/.test(t) ? '护理' : /药/.test(t) ? '药学' : ({ 内科: '内科专业', 外科: '外科专业', 妇产科: '妇产科专业', 检验科: '医学检验', 放射科: '医学影像和放射治疗专业', 急诊科: '急救医学专业', 中医科: '中医专业', 全科医疗科: '全科医学专业', 公共卫生科: '公共卫生类别' } as Record<string, string>)[d] ?? '临床', h('是'), h('合格')]), 'form c')}<p>核查结论：在岗卫生技术人员均取得相应执业资格并注册在本机构，无超范围执业。</p>`),
    sheet(cert('医师执业证书', '陈志刚', '男', '临床', '内科专业', 'DEMO-110410821-000001') + cert('医师执业证书', '马红梅', '女', '临床', '妇产科专业', 'DEMO-110410821-000002')),
    sheet(cert('护士执业证书', '林雪梅', '女', '护士', '护理', 'DEMO-NURSE-410821-0003') + cert('医师执业证书', '罗桂芝', '女', '中医', '中医专业', 'DEMO-110410821-000004')),
  ] },
  { file: '15-yaopin-buliang-fanying-jiance-taizhang.tif', title: '药品不良反应监测台账（2025年）', documentDate: '2025-12-30', issuingDepartment: '药剂科', items: ['3.4.1', '3.6.1'], look: 'grey', pages: [
    sheet(`${head('药品不良反应监测台账', '2025年度　　药剂科　　发现可疑不良反应须在规定时限内上报国家药品不良反应监测系统')}${tbl(adrHead, ADR.slice(0, 6).concat(blank(10, 10)), 'form c nw')}`),
    sheet(`${head('药品不良反应监测台账（续）', '2025年度')}${tbl(adrHead, ADR.slice(6).map((r) => { r[0] = Number(r[0]); return r; }).concat(blank(11, 10)), 'form c nw')}<p>全年上报药品不良反应9例（严重2例、新的1例），上报率100%，均已网络直报。</p><div class="sign"><span>药剂科负责人：${h('刘秀英')}</span><span>日期：${h('2025.12.30')}</span></div>`),
  ] },
);

// ---------- a photo of the notice board (CSS perspective, colour) ----------
const PHOTO = { file: '16-fuwu-xiangmu-shoufei-gongshilan-zhaopian.jpg', title: '服务项目与收费标准公示栏照片', documentDate: '2026-01-06', issuingDepartment: '院办公室', items: ['1.1.1', '4.3.3'] };
const photoHtml = doc(`<div style="width:1200px;height:900px;background:linear-gradient(#e9e1cf,#d8ceb8 78%,#8d8478 78%,#6f675c);perspective:1400px;overflow:hidden;font-family:'Noto Sans CJK SC'">
<div style="position:absolute;left:170px;top:40px;width:860px;height:650px;background:#f7f7f2;border:14px solid #2f5d8a;box-shadow:12px 16px 24px rgba(0,0,0,.35);transform:rotateY(-16deg) rotateZ(.6deg);padding:14px 20px">
<div style="background:#2f5d8a;color:#fff;text-align:center;font-size:34px;font-weight:bold;padding:6px">${INST} 院务公开栏</div>
<div style="display:flex;gap:16px;margin-top:10px;font-size:15px;line-height:1.5"><div style="flex:1"><b style="font-size:19px;color:#b22">基本公共卫生服务项目（免费）</b><br>居民健康档案管理　健康教育<br>预防接种　0～6岁儿童健康管理<br>孕产妇健康管理　老年人健康管理<br>高血压、2型糖尿病患者健康管理<br>严重精神障碍患者管理　肺结核患者健康管理<br>中医药健康管理　传染病及突发公共卫生事件报告和处理<br>卫生监督协管　家庭医生签约服务<br><b style="font-size:17px;color:#b22">投诉电话：0391-7000001（演示）</b></div>
<div style="flex:1"><b style="font-size:19px;color:#b22">医疗服务价格公示（部分）</b>
<table style="font-size:14px;margin-top:4px"><tr><th>项目</th><th>单位</th><th>价格(元)</th></tr>${[['普通门诊诊查费', '次', '10.00'], ['静脉输液', '组', '6.00'], ['肌肉注射', '次', '2.50'], ['血常规', '次', '15.00'], ['心电图', '次', '18.00'], ['B超（腹部）', '次', '60.00'], ['针刺', '次', '12.00'], ['床位费（三人间）', '日', '20.00']].map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</table><div style="font-size:13px">药品实行零差率销售 · 医保政策咨询：收费处</div></div></div>
<div style="margin-top:12px;border-top:2px solid #2f5d8a;padding-top:8px"><b style="font-size:19px;color:#b22">家庭医生签约服务团队公示</b><div style="display:flex;gap:10px;margin-top:6px">${['唐志远', '陈志刚', '袁立新', '梁晓东', '罗桂芝', '邓敏'].map((n, i) => `<div style="flex:1;text-align:center;font-size:13px"><div style="height:78px;background:linear-gradient(#c9d3dc,#8c9aa8);border:1px solid #667"></div>第${'一二三四五六'[i]}团队 ${n}</div>`).join('')}</div></div></div>
<div style="position:absolute;left:0;right:0;top:700px;height:200px;background:linear-gradient(#9a917f,#5f5a52)"></div></div>`);

// ---------- born-digital PDFs (Chromium, real text layer) ----------
// Chromium/Skia embeds the CFF-based Noto CJK as Type 3 fonts (text layer fine, ~330 B per glyph): one face per PDF keeps them small
const PDF_CSS = (face: string) => `*{font-family:'${face}'!important;font-weight:normal!important}h1,h2,th{color:#000;letter-spacing:1pt}`;
const redhead = (no: string) => `<div class="red" style="text-align:center;font-size:24pt;font-weight:bold;letter-spacing:3pt;font-family:'Noto Serif CJK SC'">${INST}文件</div><div style="text-align:center;margin-top:2mm">${no}</div><div class="redline"></div>`;
const rules: [string, string[]][] = [
  ['医疗质量管理制度', ['成立院医疗质量与安全管理委员会，院长为第一责任人，医务科负责日常工作；各科室设质控小组，科主任为本科室医疗质量第一责任人。', '实行院、科两级质控，医务科每月开展医疗质量检查，每季度召开医疗质量与安全管理委员会会议，形成质量分析报告并通报。', '严格落实十八项医疗质量安全核心制度，将执行情况纳入科室和个人绩效考核。', '建立医疗质量持续改进机制，运用PDCA等管理工具，对存在问题制定整改措施并跟踪落实。', '加强医疗质量信息统计与上报，按要求报送医疗质量控制指标数据。']],
  ['首诊负责制度', ['首诊医师对患者的检查、诊断、治疗、抢救、转诊等负责，不得推诿患者。', '需他科诊治的，首诊医师写好病历并联系相关科室；危重患者须先抢救，再按规定转诊。', '涉及多科的患者，由首诊科室组织会诊，明确主管科室。']],
  ['三级查房制度', ['实行院长（业务副院长）、主治医师、住院医师三级医师查房，不具备主治医师的科室由县医院帮扶专家参与查房。', '住院医师每日至少查房2次；主治医师每日查房1次；新入院患者48小时内完成上级医师查房。', '查房内容应在病程记录中及时、准确记录，上级医师审核签字。']],
  ['会诊制度', ['院内会诊由经治医师提出，普通会诊24小时内完成，急会诊10分钟内到位。', '院外会诊经医务科同意，通过医共体远程会诊平台或邀请县级医院专家进行。', '会诊意见及执行情况记入病历。']],
  ['值班和交接班制度', ['实行24小时值班制度，值班人员不得擅离岗位，值班表提前公布。', '交接班时对危重、新入院、手术及特殊患者床旁交接，书写交接班记录。', '值班期间遇重大问题及时向总值班报告。']],
  ['查对制度', ['临床治疗实行“三查八对”，至少使用两种身份识别方式，禁止以床号作为识别依据。', '输血实行双人核对；检验标本采集、影像检查均须核对患者信息。', '药剂科调剂处方执行“四查十对”。']],
  ['病历管理制度', ['门诊病历、住院病历按《病历书写基本规范》及时、准确、完整书写。', '住院病历出院后7个工作日内归档，医务科每月抽查病历，甲级病历率不低于90%。', '严格病历借阅、复印管理，保护患者隐私。']],
  ['危急值报告制度', ['检验、影像、心电图等医技科室发现危急值，立即电话通知临床科室并登记。', '临床医师接报后15分钟内处置，并在病程记录中记录处理情况。', '医务科每季度对危急值报告登记台账进行检查分析。']],
];
const bornPdfs: (Meta & { html: string; landscape?: boolean })[] = [
  { file: '17-yiliao-zhiliang-guanli-zhidu-huibian.pdf', title: '郇封镇卫生院医疗质量管理制度汇编', documentDate: '2025-03-01', issuingDepartment: '医务科', items: ['3.1.1', '3.1.2'], html: `${redhead('郇封卫字〔2025〕12号')}<h1>关于印发《郇封镇卫生院医疗质量管理制度汇编》的通知</h1>${ps('院内各科室：', '为进一步加强医疗质量管理，保障医疗安全，根据《医疗质量管理办法》《医疗质量安全核心制度要点》及优质服务基层行活动要求，结合我院实际，医务科对现行医疗质量管理制度进行了修订汇编，经2025年2月26日院务会研究通过，现印发给你们，请认真组织学习并遵照执行。')}<p style="text-align:right">${INST}<br>2025年3月1日</p><h2>目　录</h2>${rules.map(([t], i) => `<div>${'一二三四五六七八'[i]}、${t}</div>`).join('')}${rules.map(([t, cs], i) => `<h2 style="${i === 0 ? 'page-break-before:always' : ''}">${'一二三四五六七八'[i]}、${t}</h2>${cs.map((c, j) => `<p>${j + 1}. ${c}</p>`).join('')}`).join('')}<p style="margin-top:6mm">本制度汇编自印发之日起执行，由医务科负责解释。</p>` },
  { file: '18-2026-jiben-gonggong-weisheng-fuwu-gongzuo-jihua.pdf', title: '2026年基本公共卫生服务工作计划', documentDate: '2026-01-15', issuingDepartment: '公共卫生科', items: ['2.3.1', '2.3.5'], html: `${redhead('郇封卫字〔2026〕3号')}<h1>2026年基本公共卫生服务工作计划</h1>
<h2>一、指导思想</h2>${ps('以优质服务基层行活动为抓手，坚持以人民健康为中心，落实国家基本公共卫生服务规范（第三版），推进基本公共卫生服务与家庭医生签约服务、慢性病规范诊疗融合，提高辖区居民健康水平。辖区服务人口32000人，下辖村卫生室14所。')}
<h2>二、工作目标</h2>${tbl(['序号', '指标', '2025年完成', '2026年目标'], [['1', '居民电子健康档案建档率', '92.6%', '≥90%'], ['2', '电子健康档案开放使用率', '61.2%', '≥65%'], ['3', '0～6岁儿童健康管理率', '91.5%', '≥90%'], ['4', '孕产妇系统管理率', '93.0%', '≥90%'], ['5', '65岁及以上老年人健康管理率', '71.8%', '≥72%'], ['6', '高血压患者基层规范管理服务率', '66.4%', '≥68%'], ['7', '2型糖尿病患者基层规范管理服务率', '65.9%', '≥68%'], ['8', '严重精神障碍患者规范管理率', '88.2%', '≥90%'], ['9', '适龄儿童国家免疫规划疫苗接种率', '97.1%', '≥95%'], ['10', '传染病报告及时率', '100%', '100%'], ['11', '老年人中医药健康管理率', '76.3%', '≥75%']], 'c')}
<h2>三、重点任务</h2>${ps('（一）居民健康档案管理。以“一人一档”为原则，做好动态更新，结合体检、随访及时录入，清理死档、重档，推进健康档案向居民开放。', '（二）慢性病患者健康管理。对高血压、2型糖尿病患者每年提供4次面对面随访和1次较全面健康体检，随访结果录入慢性病患者随访台账，血压、血糖控制不满意者两周内复诊，必要时转诊。', '（三）重点人群健康管理。开展65岁及以上老年人免费体检，做好0～6岁儿童和孕产妇健康管理，加强严重精神障碍、肺结核患者管理。', '（四）健康教育。全年举办健康知识讲座不少于12次、公众咨询活动不少于9次，更新宣传栏每两个月1次。', '（五）预防接种与传染病报告。规范冷链管理，落实接种“三查七对一验证”；传染病疫情及突发公共卫生事件按规定时限报告。', '（六）村卫生室绩效考核。每季度对村卫生室开展督导考核，考核结果与补助资金挂钩。')}
<h2>四、保障措施</h2>${ps('成立以院长李建国为组长的基本公共卫生服务工作领导小组，公共卫生科具体负责；每月召开例会通报进度；加强业务培训，全年培训乡村医生不少于6次；严格资金管理，专款专用。')}
<h2>五、进度安排</h2>${tbl(['时间', '主要工作'], [['第一季度', '制定年度计划、任务分解到村；启动老年人体检；第一次慢病随访'], ['第二季度', '老年人体检完成60%；开展院感与公共卫生专项培训；半年自查'], ['第三季度', '完成老年人体检；开展应急演练；迎接县级考核'], ['第四季度', '第四次随访；年度绩效自评与工作总结']])}<p style="text-align:right;margin-top:6mm">${INST}<br>2026年1月15日</p>` },
  { file: '19-shou-weisheng-yu-yuangan-fangkong-peixun-kejian.pdf', title: '手卫生与医院感染防控培训课件', documentDate: '2025-06-12', issuingDepartment: '院感科', items: ['3.3.2', '1.3.4'], landscape: true, html: [
    ['手卫生与医院感染防控', `<div style="font-size:22pt;text-align:center;margin-top:18mm">2025年第二季度院感培训</div><div style="font-size:16pt;text-align:center;margin-top:10mm">主讲：杨晓燕（院感科）<br>${INST}　2025年6月</div>`],
    ['培训内容', '<ol style="font-size:18pt;line-height:2"><li>为什么要做手卫生</li><li>手卫生的五个时刻</li><li>七步洗手法与卫生手消毒</li><li>手卫生依从性监测结果</li><li>医疗废物分类与职业防护要点</li></ol>'],
    ['为什么要做手卫生', '<ul style="font-size:16pt;line-height:1.9"><li>医务人员的手是医院感染最主要的传播途径之一</li><li>正确执行手卫生可减少约30%的医院感染</li><li>依据：《医务人员手卫生规范》（WS/T 313—2019）</li><li>手卫生 = 洗手 + 卫生手消毒 + 外科手消毒</li></ul>'],
    ['手卫生的五个时刻', `${tbl(['时刻', '具体情形'], [['两前', '接触患者前；清洁、无菌操作前（包括进行侵入性操作前）'], ['三后', '暴露患者体液风险后；接触患者后；接触患者周围环境后']])}<p style="font-size:14pt">戴手套不能代替手卫生，摘手套后应进行手卫生。</p>`],
    ['七步洗手法', `<div style="display:grid;grid-template-columns:repeat(4,1fr);gap:5mm;font-size:14pt">${['① 内：掌心相对揉搓', '② 外：手心对手背揉搓', '③ 夹：掌心相对十指交叉', '④ 弓：弯曲手指关节揉搓', '⑤ 大：握住拇指旋转揉搓', '⑥ 立：指尖在掌心揉搓', '⑦ 腕：揉搓手腕', '流动水下揉搓≥15秒，全程40～60秒'].map((x) => `<div style="border:1pt solid #2f5d8a;border-radius:3mm;padding:6mm 3mm;text-align:center;background:#eef4fa">${x}</div>`).join('')}</div>`],
    ['手卫生依从性监测（2025年第一季度）', tbl(['科室', '应执行次数', '实际执行次数', '依从率', '正确率'], [['内科', 120, 98, '81.7%', '92.9%'], ['外科', 96, 80, '83.3%', '93.8%'], ['妇产科', 64, 55, '85.9%', '94.5%'], ['急诊科', 88, 66, '75.0%', '89.4%'], ['全院合计', 368, 299, '81.3%', '92.6%']], 'c') + '<p style="font-size:13pt">目标：依从率≥85%，正确率≥95%。急诊科为重点改进科室。</p>'],
    ['小结与考核', '<ul style="font-size:16pt;line-height:1.9"><li>人人知晓手卫生五个时刻，人人掌握七步洗手法</li><li>院感科每月暗访监测手卫生依从性，结果纳入科室考核</li><li>医疗废物按感染性、损伤性、病理性、药物性、化学性分类收集</li><li>培训后现场操作考核，成绩记入培训签到表</li></ul>'],
  ].map(([t, b]) => `<section style="height:186mm;break-before:page;position:relative"><div style="background:#2f5d8a;color:#fff;font-size:24pt;font-weight:bold;padding:4mm 8mm">${t}</div><div style="padding:6mm 12mm">${b}</div><div style="position:absolute;bottom:0;right:4mm;font-size:9pt;color:#777">${INST} · 院感科 · 演示样例</div></section>`).join('').replace('break-before:page;', '') },
];
const months = [['门急诊人次', 4312, 4598, 5120, 14030, 13052], ['其中：急诊人次', 186, 204, 231, 621, 588], ['出院人次', 108, 117, 132, 357, 341], ['实际占用总床日数', 868, 902, 1016, 2786, 2613], ['病床使用率(%)', '70.0', '75.2', '81.9', '75.7', '71.0'], ['平均住院日(天)', 7.9, 7.6, 7.5, 7.8, 8.1], ['门诊次均费用(元)', 78.6, 80.1, 79.3, 79.3, 81.2], ['住院次均费用(元)', 2865, 2911, 2890, 2889, 2954], ['慢病门诊人次', 1020, 1146, 1238, 3404, 2957], ['中医非药物疗法人次', 512, 566, 603, 1681, 1490]] as const;
bornPdfs.push(
  { file: '20-2025q4-yiliao-yewu-tongji-baobiao.pdf', title: '2025年第四季度医疗业务统计报表', documentDate: '2026-01-10', issuingDepartment: '医务科', items: ['2.1.1', '3.1.1'], html: `${head('2025年第四季度医疗业务统计报表', '统计期：2025年10月1日—12月31日　　数据来源：HIS系统、病案统计')}
<h2>表1　医疗业务量统计</h2>${tbl(['指标', '10月', '11月', '12月', '第四季度合计/平均', '上年同期', '同比'], months.map(([k, a, b, c, q, last]) => [k, a, b, c, q, last, `${((Number(q) / Number(last) - 1) * 100).toFixed(1)}%`]), 'c')}
<h2>表2　门诊前十位病种</h2>${tbl(['位次', '病种名称', 'ICD-10', '人次', '构成比(%)'], [['急性上呼吸道感染', 'J06.9', 1862], ['原发性高血压', 'I10', 1540], ['2型糖尿病', 'E11.9', 986], ['慢性胃炎', 'K29.5', 702], ['腰椎间盘突出症', 'M51.2', 633], ['急性支气管炎', 'J20.9', 598], ['冠状动脉粥样硬化性心脏病', 'I25.1', 455], ['脑梗死后遗症', 'I69.3', 391], ['膝关节骨关节炎', 'M17.9', 366], ['急性胃肠炎', 'K52.9', 318]].map((r, i) => [i + 1, ...r, ((Number(r[2]) / 14030) * 100).toFixed(1)]), 'c')}
<h2>表3　医疗质量指标</h2>${tbl(['指标', '目标值', '第四季度', '达标情况'], [['甲级病历率', '≥90%', '93.5%', '达标'], ['门诊处方合格率', '≥95%', '95.3%', '达标'], ['门诊抗菌药物使用率', '≤20%', '18.3%', '达标'], ['医院感染发生率', '≤3%', '0.8%', '达标'], ['危急值报告及时率', '100%', '100%', '达标'], ['患者满意度', '≥90%', '94.1%', '达标']], 'c')}
<h2>质量分析</h2>${ps('第四季度门急诊人次同比增长，主要为冬季呼吸道疾病就诊增加及慢病门诊规范管理人数上升；病床使用率81.9%，较上季度提高。医疗质量指标均达到目标值，但急诊科手卫生依从率偏低、部分护理文书书写不规范，已由医务科、护理部下达整改通知，2026年第一季度复查。')}<p style="text-indent:0;margin-top:5mm">填报人：袁立新　　审核人：赵文博　　单位负责人：李建国　　报送日期：2026年1月10日</p>` },
  { file: '21-2025-xiabannian-huanzhe-manyidu-diaocha-tongjibiao.pdf', title: '2025年下半年患者满意度调查统计表', documentDate: '2026-01-05', issuingDepartment: '院办公室', items: ['4.6.1', '1.4.3'], html: `${head('2025年下半年患者满意度调查统计表', '调查时间：2025年7月—12月　　调查方式：现场问卷＋电话回访')}${ps('本次共发放门诊患者问卷200份、住院患者问卷100份，回收291份，有效问卷286份（门诊190份、住院96份），有效率95.3%。满意率＝（非常满意＋满意）÷有效问卷数×100%。')}
${tbl(['调查项目', '非常满意', '满意', '一般', '不满意', '满意率'], [['就诊环境与卫生', 152, 118, 14, 2], ['候诊等候时间', 121, 130, 31, 4], ['医生服务态度', 171, 105, 9, 1], ['护士服务态度', 176, 101, 8, 1], ['诊疗效果', 139, 129, 16, 2], ['收费透明合理', 148, 122, 13, 3], ['药品供应', 117, 131, 33, 5], ['便民设施（饮水、轮椅、休息椅）', 133, 128, 22, 3], ['隐私保护', 158, 117, 10, 1], ['总体满意度', 161, 108, 15, 2]].map((r) => [...r, `${(((Number(r[1]) + Number(r[2])) / 286) * 100).toFixed(1)}%`]), 'c')}
<h2>主要意见和建议</h2>${ps('1. 上午就诊高峰候诊时间较长（12条）；2. 部分慢病用药品种不全（9条）；3. 门诊楼卫生间夜间照明不足（4条）；4. 希望增加周末中医理疗服务（3条）。')}
<h2>改进措施</h2>${ps('1. 推行分时段预约就诊，高峰时段增开全科诊室1个；2. 药剂科与县医共体药品目录衔接，增补常用慢病药品12种；3. 总务科12月完成卫生间照明改造；4. 中医科周六上午开设理疗门诊。院办公室于2026年第一季度开展改进效果回访。')}<p style="text-indent:0">统计人：王芳　　审核人：李建国　　日期：2026年1月5日</p>` },
  { file: '22-tufa-gonggong-weisheng-shijian-yingji-yuan.pdf', title: '突发公共卫生事件应急预案（2025年修订）', documentDate: '2025-04-01', issuingDepartment: '公共卫生科', items: ['1.1.3'], html: `${redhead('郇封卫字〔2025〕18号')}<h1>突发公共卫生事件应急预案<br><span style="font-size:12pt">（2025年修订）</span></h1>
<h2>一、总则</h2>${ps('（一）编制目的。有效预防、及时控制和消除突发公共卫生事件的危害，保障辖区群众身体健康与生命安全。', '（二）编制依据。《中华人民共和国突发事件应对法》《突发公共卫生事件应急条例》《国家突发公共卫生事件应急预案》及县级相关预案。', '（三）适用范围。适用于本辖区发生的传染病疫情、群体性不明原因疾病、食物中毒、职业中毒及其他严重影响公众健康事件的应急处置。', '（四）工作原则。预防为主、常备不懈；统一领导、分级负责；依法规范、措施果断；依靠科学、加强合作。')}
<h2>二、组织体系与职责</h2>${ps('成立突发公共卫生事件应急领导小组：组长李建国（院长），副组长赵文博、周海涛，成员由各科室负责人组成。领导小组办公室设在公共卫生科，负责信息收集、报告与日常管理。')}${tbl(['应急小组', '组长', '主要职责'], [['医疗救治组', '陈志刚', '预检分诊、现场救治、危重患者转诊'], ['流行病学调查组', '周海涛', '流行病学调查、密切接触者追踪、标本采集'], ['消毒隔离组', '杨晓燕', '疫点消毒、医疗废物处置、个人防护指导'], ['后勤保障组', '董小军', '应急物资储备与调配、车辆与通讯保障'], ['宣传报告组', '王芳', '信息报告、健康教育与舆情应对']])}
<h2>三、监测、预警与报告</h2>${ps('落实首诊负责和预检分诊制度，发现突发公共卫生事件或疑似情况，首诊医生立即报告公共卫生科，公共卫生科核实后2小时内通过中国疾病预防控制信息系统进行网络直报，同时电话报告县卫生健康委和县疾控中心。任何人不得隐瞒、缓报、谎报。')}
<h2>四、应急响应</h2>${ps('按照事件性质、危害程度分为特别重大（Ⅰ级）、重大（Ⅱ级）、较大（Ⅲ级）和一般（Ⅳ级）。接到事件报告后，领导小组立即启动相应响应，各应急小组30分钟内到位，在县级应急指挥部统一领导下开展处置。')}
<h2>五、保障措施</h2>${ps('建立应急物资台账，储备防护服、N95口罩、消毒剂、急救药品等物资，每月检查一次有效期并记录；每年至少组织1次应急演练和2次应急培训。')}${tbl(['物资名称', '储备标准', '现有数量', '存放地点'], [['医用防护服', '50套', '60套', '应急物资库'], ['医用防护口罩（N95）', '200只', '240只', '应急物资库'], ['含氯消毒片', '20瓶', '24瓶', '消毒供应室'], ['手持式红外测温仪', '5台', '6台', '预检分诊处']], 'c')}
<h2>六、附则</h2>${ps('本预案由公共卫生科负责解释，自印发之日起施行，原预案同时废止。')}<p style="text-align:right">${INST}<br>2025年4月1日</p>` },
  { file: '23-2026-renyuan-peixun-jixu-jiaoyu-jihua.pdf', title: '2026年度人员培训与继续教育计划', documentDate: '2026-01-20', issuingDepartment: '医务科', items: ['1.3.4', '3.2.2'], html: `${head('2026年度人员培训与继续教育计划')}<h2>一、培训目标</h2>${ps('围绕优质服务基层行能力标准，全面提升医务人员“三基三严”水平。全年全员培训覆盖率100%，卫生技术人员继续医学教育学分达标率100%（Ⅰ类学分≥10分、Ⅱ类学分≥15分），护理人员技能考核合格率≥95%。')}
<h2>二、年度培训安排</h2>${tbl(['月份', '培训主题', '培训对象', '形式', '组织科室', '学时'], [['1月', '医疗质量安全核心制度', '全体医师', '授课＋考试', '医务科', 2], ['2月', '心肺复苏与急救技能', '全体医护', '实操考核', '急诊科', 3], ['3月', '手卫生与医院感染防控', '全体职工', '授课＋实操', '院感科', 2], ['4月', '护理文书书写规范', '护理人员', '授课', '护理部', 2], ['5月', '高血压、糖尿病基层诊疗指南', '医师、乡村医生', '授课', '公共卫生科', 2], ['6月', '突发公共卫生事件应急处置', '全体职工', '演练', '公共卫生科', 3], ['7月', '合理用药与抗菌药物管理', '医师、药师', '授课＋考试', '药剂科', 2], ['8月', '中医适宜技术推广', '医师、乡村医生', '实操', '中医科', 3], ['9月', '患者安全与不良事件上报', '全体医护', '案例讨论', '医务科', 2], ['10月', '分级护理与专科护理技术', '护理人员', '实操考核', '护理部', 3], ['11月', '消防安全知识与疏散演练', '全体职工', '演练', '院办公室', 2], ['12月', '年度“三基”理论考试', '卫生技术人员', '闭卷考试', '医务科', 2]], 'c')}
<h2>三、外出进修安排</h2>${tbl(['姓名', '科室', '进修单位', '进修专业', '时间'], [['袁立新', '内科', '修武县人民医院', '心血管内科', '2026年3月—8月'], ['曹雅婷', '住院部', '焦作市第二人民医院（演示）', '急诊护理', '2026年5月—7月'], ['罗桂芝', '中医科', '修武县中医院', '针灸推拿', '2026年9月—11月']])}
<h2>四、考核与管理</h2>${ps('每次培训均填写培训记录与签到表，培训后进行考核，成绩记入个人技术档案，与年度考核、职称晋升挂钩。医务科每季度对培训开展情况进行检查，年底形成培训工作总结。')}<p style="text-indent:0">制定：医务科　　审核：赵文博　　2026年1月20日</p>` },
);

// ---------- DOCX ----------
const P = (text: string, o: { bold?: boolean; center?: boolean; indent?: boolean; size?: number } = {}) => new Paragraph({ alignment: o.center ? AlignmentType.CENTER : AlignmentType.LEFT, indent: o.indent === false ? undefined : { firstLine: 480 }, spacing: { line: 360 }, children: [new TextRun({ text, bold: o.bold, size: o.size ?? 24, font: { eastAsia: '宋体', ascii: 'Times New Roman' } })] });
const dtable = (rows: string[][]) => new Table({ width: { size: 100, type: WidthType.PERCENTAGE }, rows: rows.map((r, i) => new TableRow({ tableHeader: i === 0, children: r.map((c) => new TableCell({ children: [P(c, { bold: i === 0, center: true, indent: false, size: 21 })] })) })) });
const H1 = (t: string) => new Paragraph({ heading: HeadingLevel.HEADING_1, alignment: AlignmentType.CENTER, children: [new TextRun({ text: t, bold: true, size: 36, color: '000000', font: { eastAsia: '黑体' } })] });
const H2 = (t: string) => new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun({ text: t, bold: true, size: 26, color: '000000', font: { eastAsia: '黑体' } })] });
const docxFiles: (Meta & { body: (Paragraph | Table)[] })[] = [
  { file: '24-yuanwu-huiyi-jilu-2026-01.docx', title: '院务会议记录（2026年第1次）', documentDate: '2026-01-09', issuingDepartment: '院办公室', items: ['4.1.3', '3.1.1'], body: [H1('院务会议记录'), P(`${INST}　2026年第1次院务会议`, { center: true, indent: false }),
    dtable([['会议时间', '2026年1月9日 15:00—17:00', '会议地点', '门诊楼三楼会议室'], ['主持人', '李建国', '记录人', '王芳'], ['参会人员', '赵文博、周海涛、张丽娟、杨晓燕、刘秀英、郑国庆、陈志刚、董小军', '缺席人员', '无']]),
    H2('一、会议议题'), P('1. 通报2025年第四季度医疗质量检查及医疗业务统计情况；2. 审议《2026年基本公共卫生服务工作计划》；3. 研究优质服务基层行2026年迎检准备工作；4. 院务公开与职工代表提案办理情况。'),
    H2('二、会议内容'), P('赵文博通报：第四季度门急诊人次同比增长7.5%，甲级病历率93.5%，处方合格率95.3%，医疗质量指标均达标；存在急诊科手卫生依从率偏低、护理文书书写不规范等问题，已下达整改通知。'), P('周海涛汇报2026年基本公共卫生服务工作计划，重点是慢性病患者健康管理随访质量和电子健康档案开放使用。与会人员讨论后一致同意印发。'), P('李建国强调：对照乡镇卫生院服务能力评价指南逐条自查，各科室1月31日前完成佐证资料（制度文件、会议记录、培训记录与签到表、台账、工作计划与总结）的整理归档，院办公室统一录入证据档案系统。'), P('王芳通报院务公开情况：2025年第四季度公开栏更新2次，职工代表提案5件已全部答复。'),
    H2('三、会议决议'), dtable([['序号', '决议事项', '责任科室', '完成时限'], ['1', '印发《2026年基本公共卫生服务工作计划》', '公共卫生科', '2026年1月15日'], ['2', '医疗质量问题整改并复查', '医务科、护理部', '2026年3月31日'], ['3', '基层行佐证资料归档录入系统', '各科室、院办公室', '2026年1月31日'], ['4', '院务公开栏按季度更新', '院办公室', '每季度']]),
    P(''), P('主持人签字：李建国　　　　记录人签字：王芳', { indent: false })] },
  { file: '25-2025-jiating-yisheng-qianyue-fuwu-gongzuo-zongjie.docx', title: '2025年家庭医生签约服务工作总结', documentDate: '2025-12-26', issuingDepartment: '公共卫生科', items: ['2.4.1', '2.4.2'], body: [H1('2025年家庭医生签约服务工作总结'), P(`${INST}公共卫生科　2025年12月26日`, { center: true, indent: false }),
    H2('一、基本情况'), P('2025年，我院组建家庭医生团队6个，每个团队由全科医生、公共卫生医师、护士和乡村医生组成，实行“1+1+1+N”服务模式。全镇常住人口32000人，签约居民11840人，签约率37.0%；重点人群签约8962人，签约率76.8%；续约率88.5%。'),
    dtable([['团队', '团队长', '签约人数', '重点人群签约', '履约率', '满意度'], ['第一团队（郇封村片）', '唐志远', '2310', '1782', '92.1%', '95.6%'], ['第二团队（岸上片）', '陈志刚', '2045', '1560', '90.4%', '94.8%'], ['第三团队（孟村片）', '袁立新', '1986', '1498', '89.7%', '93.9%'], ['第四团队（文案片）', '梁晓东', '1902', '1431', '91.2%', '94.2%'], ['第五团队（中医团队）', '罗桂芝', '1815', '1352', '90.8%', '96.1%'], ['第六团队（周流片）', '邓敏', '1782', '1339', '88.6%', '93.5%']]),
    H2('二、主要做法'), P('（一）优化服务包。设置基础包和高血压、糖尿病、老年人、孕产妇、儿童、中医药个性化服务包，明确服务内容、频次和收费标准，签约协议一式两份。'), P('（二）做实履约服务。为签约慢病患者提供每季度随访、长期处方和用药指导，全年上门服务1326人次，开设家庭病床18张。'), P('（三）强化考核激励。签约服务费按考核结果发放，70%用于团队，考核指标包括签约数量、履约质量和居民满意度。'),
    H2('三、存在问题'), P('部分团队乡村医生年龄偏大，信息化操作不熟练；青壮年居民签约意愿不高；个性化服务包利用率偏低。'),
    H2('四、2026年工作打算'), P('一是推进“签约+慢病管理+中医药”融合服务；二是利用县医共体资源开展专家进村坐诊；三是完善签约服务信息系统，实现履约记录线上留痕；四是将签约率提高到40%、重点人群签约率保持在75%以上。')] },
];

// ---------- XLSX ----------
async function makeXlsx(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = INST; wb.lastModifiedBy = '宋丽萍'; wb.created = at('2025-12-31'); wb.modified = at('2025-12-31');
  const ws = wb.addWorksheet('慢病随访台账', { views: [{ state: 'frozen', ySplit: 3 }], pageSetup: { orientation: 'landscape', paperSize: 9, fitToPage: true } });
  const cols = ['序号', '姓名', '性别', '年龄', '身份证号', '村（居）', '联系电话', '疾病类型', '随访日期', '随访方式', '血压(mmHg)', '空腹血糖(mmol/L)', '主要用药', '控制情况', '下次随访日期', '随访医生'];
  ws.columns = cols.map((_, i) => ({ width: [6, 9, 6, 6, 22, 12, 14, 20, 12, 10, 12, 15, 40, 10, 14, 10][i] }));
  ws.mergeCells(1, 1, 1, cols.length); ws.getCell('A1').value = `${INST}慢性病患者随访台账（2025年第四季度）`;
  ws.getCell('A1').font = { bold: true, size: 16 }; ws.getCell('A1').alignment = { horizontal: 'center' };
  ws.mergeCells(2, 1, 2, cols.length); ws.getCell('A2').value = '填报科室：公共卫生科　随访要求：高血压、2型糖尿病患者每季度至少面对面随访1次；控制不满意者2周内复诊（演示数据，身份信息已脱敏）';
  ws.addRow(cols).eachCell((c) => { c.font = { bold: true }; c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF5' } }; });
  for (let i = 0; i < 30; i++) {
    const kind = pick(['高血压', '高血压', '2型糖尿病', '高血压合并2型糖尿病']); const age = int(48, 86); const m = 10 + Math.floor(i / 10), d = int(1, 28);
    const sbp = int(112, 156), dbp = int(64, 94), glu = +(5.0 + rnd() * 3.6).toFixed(1); const [name, sex] = who(); const ok = sbp < 140 && dbp < 90 && (!/糖/.test(kind) || glu < 7.0);
    ws.addRow([i + 1, name, sex, age, `410821${2025 - age}****${String(int(0, 9999)).padStart(4, '0')}`, pick(VILL), `13${int(0, 9)}****${int(1000, 9999)}`, kind, new Date(Date.UTC(2025, m - 1, d)), pick(['门诊', '家庭', '家庭', '电话']), /高血压/.test(kind) ? `${sbp}/${dbp}` : '—', /糖/.test(kind) ? glu : '—', [/高血压/.test(kind) ? pick(['苯磺酸氨氯地平片 5mg qd', '缬沙坦胶囊 80mg qd', '硝苯地平缓释片 20mg bid']) : '', /糖/.test(kind) ? pick(['二甲双胍片 0.5g tid', '格列美脲片 2mg qd']) : ''].filter(Boolean).join('；'), ok ? '满意' : '不满意', new Date(Date.UTC(2025, m - 1, d + (ok ? 90 : 14))), pick(['唐志远', '梁晓东', '邓敏', '陈志刚'])]);
  }
  ws.getColumn(9).numFmt = 'yyyy-mm-dd'; ws.getColumn(15).numFmt = 'yyyy-mm-dd';
  ws.eachRow((row, n) => { if (n >= 3) row.eachCell({ includeEmpty: true }, (c) => { c.border = { top: { style: 'thin' }, left: { style: 'thin' }, bottom: { style: 'thin' }, right: { style: 'thin' } }; c.alignment = { vertical: 'middle', horizontal: 'center' }; }); });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

// ---------- output helpers ----------
async function rezip(buf: Buffer, date: Date): Promise<Buffer> { // fixed zip timestamps + core.xml dates => reproducible bytes
  const zip = await new Promise<yauzl.ZipFile>((ok, ko) => yauzl.fromBuffer(buf, { lazyEntries: true }, (e, z) => (e ? ko(e) : ok(z))));
  const out = new yazl.ZipFile();
  await new Promise<void>((ok, ko) => {
    zip.on('entry', (en: yauzl.Entry) => en.fileName.endsWith('/') ? zip.readEntry() : zip.openReadStream(en, (e, s) => { if (e) return ko(e); const parts: Buffer[] = []; s.on('data', (c: Buffer) => parts.push(c)); s.on('end', () => { let data = Buffer.concat(parts); if (en.fileName === 'docProps/core.xml') data = Buffer.from(data.toString('utf8').replace(/(<dcterms:(?:created|modified)[^>]*>)[^<]*/g, `$1${date.toISOString().replace(/\.\d+Z$/, 'Z')}`)); out.addBuffer(data, en.fileName, { mtime: date }); zip.readEntry(); }); }));
    zip.on('end', () => ok()); zip.on('error', ko); zip.readEntry();
  });
  out.end(); const chunks: Buffer[] = []; for await (const c of out.outputStream) chunks.push(c as Buffer); return Buffer.concat(chunks);
}
async function fixPdf(pdf: PDFDocument, e: Meta, producer: string): Promise<Uint8Array> {
  const d = at(e.documentDate); pdf.setTitle(e.title); pdf.setAuthor(INST); pdf.setSubject('优质服务基层行佐证资料（演示）'); pdf.setCreator('Dossier make-demo-evidence'); pdf.setProducer(producer); pdf.setCreationDate(d); pdf.setModificationDate(d);
  pdf.catalog.delete(PDFName.of('Metadata'));
  return pdf.save({ useObjectStreams: true });
}
// paper look: tint + grain + uneven light, slight blur, small rotation on a grey scanner bed
async function degrade(png: Buffer, seed: number, look: Look): Promise<Buffer> {
  const r = prng(seed), nw = W / 2, nh = H / 2, grain = Buffer.alloc(nw * nh * 3);
  for (let i = 0; i < nw * nh; i++) { const g = r() + r() + r() - 1.5; const v = Math.max(0, Math.min(255, 248 + g * 8)); grain[3 * i] = grain[3 * i + 1] = grain[3 * i + 2] = v; }
  const light = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><defs><radialGradient id="g" cx="${0.35 + r() * 0.3}" cy="${0.35 + r() * 0.3}" r="0.85"><stop offset="0.55" stop-color="#fff"/><stop offset="1" stop-color="#d9d9d9"/></radialGradient></defs><rect width="100%" height="100%" fill="url(#g)"/></svg>`;
  const paper = look === 'grey' ? '#f6f6f6' : look === 'tint' ? '#f5efdf' : '#fbf7ee';
  const s1 = await sharp(png).resize(W, H, { fit: 'fill' }).removeAlpha().composite([{ input: await sharp(grain, { raw: { width: nw, height: nh, channels: 3 } }).resize(W, H).png().toBuffer(), blend: 'multiply' }, { input: Buffer.from(light), blend: 'multiply' }, { input: { create: { width: W, height: H, channels: 3, background: paper } }, blend: 'multiply' }]).png().toBuffer();
  const angle = (0.5 + r() * 1.5) * (r() < 0.5 ? -1 : 1);
  const rot = await sharp(s1).blur(0.55).rotate(angle, { background: '#c9c9c9' }).png().toBuffer({ resolveWithObject: true });
  const out = sharp(rot.data).extract({ left: Math.floor((rot.info.width - W) / 2) + int(-6, 6), top: Math.floor((rot.info.height - H) / 2) + int(-6, 6), width: W, height: H });
  return (look === 'grey' ? out.toColourspace('b-w') : out).png().toBuffer();
}
const jpeg = (img: Buffer, q = 60) => sharp(img).jpeg({ quality: q, mozjpeg: true }).withDensity(150).toBuffer();

// ---------- main ----------
async function main(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true }); mkdirSync(OUT, { recursive: true });
  const put = (e: Meta, data: Uint8Array, pages = 1) => { writeFileSync(join(OUT, e.file), data); manifest.push({ file: e.file, title: e.title, documentDate: e.documentDate, issuingDepartment: e.issuingDepartment, items: e.items, ...(pages > 1 ? { pages: [1, pages] as [number, number] } : {}) }); console.log(`${e.file}  ${(data.length / 1024).toFixed(0)} KB`); };
  const browser: Browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
  try {
    const shot = await (await browser.newContext({ viewport: { width: 794, height: 1123 }, deviceScaleFactor: W / 794 })).newPage();
    const snap = async (html: string, what: string) => { await shot.setContent(html, { waitUntil: 'load' }); await shot.evaluate(() => document.fonts.ready);
      const over = await shot.evaluate(() => Math.max(...[...document.querySelectorAll('.sheet')].map((e) => e.scrollHeight - e.clientHeight)));
      if (over > 1) overflows.push(`${what}: content overflows the A4 sheet by ${(over / 3.78).toFixed(0)} mm`);
      return shot.screenshot({ clip: { x: 0, y: 0, width: 794, height: 1123 } }); };
    let seed = 1; const overflows: string[] = [];
    for (const s of scans) {
      const imgs: Buffer[] = [];
      for (const p of s.pages) imgs.push(await degrade(await snap(doc(p), s.file), seed++, s.look));
      const ext = s.file.split('.').pop();
      if (ext === 'png') put(s, await sharp(imgs[0]!).linear(1.25, -40).png({ palette: true, colours: 4, compressionLevel: 9, dither: 0 }).withDensity(150).toBuffer()); // scanner "document mode"
      else if (ext === 'jpg') put(s, await jpeg(imgs[0]!));
      else if (ext === 'tif') { // multi-page TIFF from a tall "toilet-roll" image split by pageHeight
        const tall = await sharp({ create: { width: W, height: H * imgs.length, channels: 3, background: '#fff' } }).composite(imgs.map((input, i) => ({ input, top: i * H, left: 0 }))).raw().toBuffer({ resolveWithObject: true });
        put(s, await sharp(tall.data, { raw: { width: W, height: H * imgs.length, channels: tall.info.channels, pageHeight: H } }).removeAlpha().linear(1.25, -40).toColourspace('b-w').tiff({ compression: 'deflate', predictor: 'none', bitdepth: 2, xres: 150 / 25.4, yres: 150 / 25.4 }).toBuffer(), imgs.length);
      } else { // image-only PDF: one scanned JPEG per A4 page, no text layer
        const pdf = await PDFDocument.create({ updateMetadata: false });
        for (const img of imgs) { const j = await pdf.embedJpg(await jpeg(img, 55)); pdf.addPage([595.28, 841.89]).drawImage(j, { x: 0, y: 0, width: 595.28, height: 841.89 }); }
        put(s, await fixPdf(pdf, s, 'Dossier demo scan (image only)'), imgs.length);
      }
    }
    if (overflows.length) throw new Error(overflows.join('\n'));
    const cam = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
    await cam.setContent(photoHtml); await cam.evaluate(() => document.fonts.ready);
    put(PHOTO, await sharp(await cam.screenshot()).modulate({ brightness: 0.97, saturation: 0.9 }).blur(0.7).jpeg({ quality: 64, mozjpeg: true }).toBuffer());
    const pg = await (await browser.newContext()).newPage();
    for (const b of bornPdfs) {
      await pg.setContent(doc(`<style>${PDF_CSS(b.landscape ? 'Noto Sans CJK SC' : 'Noto Serif CJK SC')}section table{font-size:16pt}section td,section th{padding:2mm 3mm}</style>${b.html}${b.landscape ? '' : '<div style="margin-top:8mm;font-size:8pt;color:#888;text-align:center">演示样例 · 非真实文件</div>'}`)); await pg.evaluate(() => document.fonts.ready);
      const raw = await pg.pdf({ format: 'A4', landscape: !!b.landscape, printBackground: true, displayHeaderFooter: !b.landscape, headerTemplate: '<span></span>', footerTemplate: `<div style="width:100%;text-align:center;font-size:8pt;font-family:'Noto Serif CJK SC';font-weight:normal">${INST}　第 <span class="pageNumber"></span> 页 共 <span class="totalPages"></span> 页</div>`, margin: b.landscape ? { top: '10mm', bottom: '10mm', left: '10mm', right: '10mm' } : { top: '16mm', bottom: '18mm', left: '18mm', right: '18mm' } });
      const pdf = await PDFDocument.load(raw, { updateMetadata: false });
      put(b, await fixPdf(pdf, b, 'Chromium (Skia/PDF) via Dossier make-demo-evidence'), pdf.getPageCount());
    }
  } finally { await browser.close(); }
  for (const d of docxFiles) put(d, await rezip(await Packer.toBuffer(new Document({ creator: INST, title: d.title, description: '优质服务基层行佐证资料（演示）', sections: [{ children: d.body }] })), at(d.documentDate)));
  put({ file: '26-manxingbing-huanzhe-suifang-taizhang-2025q4.xlsx', title: '慢性病患者随访台账（2025年第四季度）', documentDate: '2025-12-31', issuingDepartment: '公共卫生科', items: ['2.3.5', '2.1.6'] }, await rezip(await makeXlsx(), at('2025-12-31')));
  // every item code must be a 3-part node of the shipped demo standard
  const std = JSON.parse(readFileSync(STANDARD, 'utf8')) as { nodes: { code: string; tier?: string }[] };
  const codes = new Map(std.nodes.filter((n) => n.code.split('.').length === 3).map((n) => [n.code, n.tier]));
  for (const e of manifest) for (const c of e.items) if (codes.get(c) !== 'basic') throw new Error(`${e.file}: ${c} is not a basic-tier item of township-2023-demo`);
  manifest.sort((a, b) => a.file.localeCompare(b.file));
  writeFileSync(join(OUT, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`${manifest.length} files, items: ${[...new Set(manifest.flatMap((e) => e.items))].sort().join(' ')}`);
}
await main();
