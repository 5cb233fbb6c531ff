import type { Translation } from '../catalogue.ts';

/**
 * The forecast messages: the pieces describeForecast (../forecast-story.ts) puts together from a
 * forecast's story. Values come formatted (sizes, rates, durations, times). English is the
 * reference; Japanese is written as a Japanese SRE team would say it.
 */
export const en = {
  // Values.
  'forecast.share': ' ({percent} of the limit)',
  'forecast.perHour': '{amount}/h',
  'forecast.perDay': '{amount}/day',
  'forecast.since': 'since {time}',
  'forecast.span': 'over the last {duration}',

  // Joining clauses: a list, the next clause, and the outcome that follows from a growth trend.
  'forecast.join.list': '{first}; {second}',
  'forecast.join.clause': '{first}; {second}',
  'forecast.join.because': '{first}; {second}',

  // Too little to say.
  'forecast.noData': 'no usable points at or before the analysis time: cannot forecast',
  'forecast.tooLittleHistory': {
    one: 'only {count} point over {span}: too little history to forecast (need at least {minPoints} points over {minSpan})',
    other: 'only {count} points over {span}: too little history to forecast (need at least {minPoints} points over {minSpan})',
  },
  'forecast.atLimit': 'already at the limit: {level} of {limit}',

  // One trend.
  'forecast.trend.growing': 'growing {rate} {basis}',
  'forecast.trend.new': 'growing {rate} since {since} (a new trend)',
  'forecast.trend.newAfterFlat': 'growing {rate} since {since} (a new trend; flat before)',
  'forecast.trend.newAfterGrowth': 'growing {rate} since {since} (a new trend; growing {before} before)',
  'forecast.trend.newAfterDecline': 'growing {rate} since {since} (a new trend; shrinking {before} before)',
  'forecast.trend.flat': 'flat at {level}{share} {basis}, no significant growth',
  'forecast.trend.shrinking': 'shrinking {rate} {basis}, now {level}{share}',

  // What the trend stepped over.
  'forecast.adjust.burst': 'a burst of +{size} that ended at {time} treated as a level shift',
  'forecast.adjust.deletedRise': 'a temporary rise of {size} deleted at {time} ignored',
  'forecast.adjust.deletedPlateau': 'a temporary rise of {size} ({from}, for {lasted}) ignored',
  'forecast.adjust.deletedPlateauMore': {
    one: 'a temporary rise of {size} ({from}, for {lasted}) ignored (and {count} earlier shift)',
    other: 'a temporary rise of {size} ({from}, for {lasted}) ignored (and {count} earlier shifts)',
  },
  'forecast.adjust.step': 'one-time step of +{size} at {time} treated as a level shift',
  'forecast.adjust.stepMore': 'one-time step of +{size} at {time} (and {count} earlier) treated as a level shift',
  'forecast.adjust.drop': 'one-time drop of {size} at {time} treated as a level shift',
  'forecast.adjust.dropMore': 'one-time drop of {size} at {time} (and {count} earlier) treated as a level shift',

  // A recent change set aside as usual.
  'forecast.swing.usual': '{moved} since {since}, within its usual swings ({low} to {high} in {lag})',
  'forecast.swing.usualShort': '{moved} since {since}, within its usual swings',
  'forecast.swing.usualBrief': 'a usual swing since {since}',
  'forecast.moved.steady': 'steady',
  'forecast.moved.up': 'up {size}',
  'forecast.moved.down': 'down {size}',
  'forecast.swing.drops': 'climbs {rate} between drops about every {every} (rotation or cleanup)',
  'forecast.swing.dropsShort': 'drops back about every {every}',

  // Growth that bends.
  'forecast.accelerating': 'accelerating since {since}: the rate doubles about every {doubling}, now {rate}',
  'forecast.levellingOff': 'levelling off toward {level}{share} since {since}, now {rate}',

  // Recurring cleanups.
  'forecast.cleanups.capped': 'climbs to {level}{share}, then drops back (restart or cleanup) about every {period}',
  'forecast.cleanups.daily': 'daily rotation at {time} detected',
  'forecast.cleanups.regular': 'cleanup every {period} detected',
  'forecast.cleanups.irregular': 'recurring cleanups (about every {period}) detected',
  'forecast.net.none': 'no significant net growth',
  'forecast.net.growth': 'net growth {rate}',
  'forecast.net.decrease': 'net decrease {rate}',
  'forecast.peaks': 'peaks near {level}{share}',
  'forecast.runaway': 'growing {rate} since {since} (faster than usual)',

  // A cycle that climbs to a cap and restarts.
  'forecast.cappedCycle.reaches': 'climbs to the limit, then restarts every ~{period}; rising {rate} now',
  'forecast.cappedCycle.below': 'capped near {level}{share}, below the limit; restarts every ~{period}',

  // A repeating pattern.
  'forecast.cycle.hourly': 'hourly cycle',
  'forecast.cycle.daily': 'daily cycle',
  'forecast.cycle.weekly': 'weekly cycle',
  'forecast.cycle.other': 'repeats every ~{period}',
  'forecast.cycle.hourlyCleanup': 'hourly cleanup cycle',
  'forecast.cycle.dailyCleanup': 'daily cleanup cycle',
  'forecast.cycle.weeklyCleanup': 'weekly cleanup cycle',
  'forecast.cycle.otherCleanup': 'cleanup every ~{period}',
  'forecast.peaks.flat': 'peaks flat near {level}',
  'forecast.peaks.rising': 'peaks rising {rate} near {level}',
  'forecast.peaks.falling': 'peaks falling {rate} near {level}',

  // No model could be trusted.
  'forecast.uncertain': "can't tell yet: {why}, but no model predicted the last hours within the {headroom} left",
  'forecast.uncertainBrief': "can't tell yet: {why}",
  'forecast.uncertain.earliest': 'full in {duration} at the earliest',

  // The outcome as a clause (an alert's forecast line, a list)…
  'forecast.outcome.full': 'full in about {duration}{band}',
  'forecast.outcome.notFull': 'not full within {horizon}{earliest}',
  'forecast.outcome.atLimit': 'already at the limit',
  'forecast.outcome.uncertain': "can't tell yet{earliest}",
  'forecast.outcome.unknown': 'too little history to forecast',
  'forecast.outcome.earliest': ' (at the earliest in {duration})',
  'forecast.outcome.uncertainEarliest': ' (full in {duration} at the earliest)',
  'forecast.outcome.band': ' ({low} – {high})',
  'forecast.outcome.bandFrom': ' ({low} or later)',
  'forecast.outcome.bandUpTo': ' (up to {high})',
  // …and as the end of an explanation.
  'forecast.sentence.full': 'full in about {duration}{band}',
  'forecast.sentence.notFull': 'not full within {horizon}{earliest}',
  'forecast.sentence.atLimit': 'already at the limit',
} as const;

export const ja: Translation<typeof en> = {
  'forecast.share': '（上限の{percent}）',
  'forecast.perHour': '1時間あたり{amount}',
  'forecast.perDay': '1日あたり{amount}',
  'forecast.since': '{time} 以降',
  'forecast.span': '直近{duration}',

  'forecast.join.list': '{first}、{second}',
  'forecast.join.clause': '{first}。{second}',
  'forecast.join.because': '{first}から、{second}',

  'forecast.noData': '分析時刻までに使えるデータ点がないため、予測できません',
  'forecast.tooLittleHistory': '{span}で{count}点しかなく、予測には履歴が足りません（{minSpan}以上にわたる{minPoints}点以上が必要です）',
  'forecast.atLimit': 'すでに上限に達しています（現在{level}、上限{limit}）',

  'forecast.trend.growing': '{basis}の増加傾向（{rate}）',
  'forecast.trend.new': '{since} 以降の新たな増加傾向（{rate}）',
  'forecast.trend.newAfterFlat': '{since} 以降の新たな増加傾向（{rate}、それまでは横ばい）',
  'forecast.trend.newAfterGrowth': '{since} 以降の新たな増加傾向（{rate}、それまでは{before}の増加）',
  'forecast.trend.newAfterDecline': '{since} 以降の新たな増加傾向（{rate}、それまでは{before}の減少）',
  'forecast.trend.flat': '{basis}は{level}{share}で横ばい、有意な増加なし',
  'forecast.trend.shrinking': '{basis}は減少傾向（{rate}）、現在{level}{share}',

  'forecast.adjust.burst': '{time} に終わった+{size}の一括書き込みは水準の変化とみなしました',
  'forecast.adjust.deletedRise': '{time} に削除された一時的な増加（{size}）は除外しました',
  'forecast.adjust.deletedPlateau': '{from} から{lasted}続いた一時的な増加（{size}）は除外しました',
  'forecast.adjust.deletedPlateauMore': '{from} から{lasted}続いた一時的な増加（{size}）は除外しました（ほかに以前の段差が{count}回）',
  'forecast.adjust.step': '{time} の一度きりの増加（+{size}）は水準の変化とみなしました',
  'forecast.adjust.stepMore': '{time} の一度きりの増加（+{size}）と、それ以前の{count}回の段差は水準の変化とみなしました',
  'forecast.adjust.drop': '{time} の一度きりの減少（{size}）は水準の変化とみなしました',
  'forecast.adjust.dropMore': '{time} の一度きりの減少（{size}）と、それ以前の{count}回の段差は水準の変化とみなしました',

  'forecast.swing.usual': '{since} 以降の{moved}はいつもの変動の範囲内（{lag}で{low}〜{high}）',
  'forecast.swing.usualShort': '{since} 以降の{moved}はいつもの変動の範囲内',
  'forecast.swing.usualBrief': '{since} 以降はいつもの変動の範囲内',
  'forecast.moved.steady': '横ばい',
  'forecast.moved.up': '{size}の増加',
  'forecast.moved.down': '{size}の減少',
  'forecast.swing.drops': '約{every}ごとに下がり、その間は{rate}で上昇（ローテーションかクリーンアップ）',
  'forecast.swing.dropsShort': '約{every}ごとに下がる動き',

  'forecast.accelerating': '{since} 以降、増加が加速中（約{doubling}ごとに速度が倍増、現在{rate}）',
  'forecast.levellingOff': '{since} 以降は増加が鈍化、{level}{share}で頭打ちの見込み（現在{rate}）',

  'forecast.cleanups.capped': '約{period}ごとに{level}{share}まで上がっては下がる動き（再起動かクリーンアップ）',
  'forecast.cleanups.daily': '毎日 {time} のローテーションを検出',
  'forecast.cleanups.regular': '{period}ごとのクリーンアップを検出',
  'forecast.cleanups.irregular': '不定期のクリーンアップを検出（約{period}ごと）',
  'forecast.net.none': '正味の増加はほぼなし',
  'forecast.net.growth': '正味で{rate}の増加',
  'forecast.net.decrease': '正味で{rate}の減少',
  'forecast.peaks': 'ピークは{level}{share}付近',
  'forecast.runaway': '{since} 以降はいつもより速く増加中（{rate}）',

  'forecast.cappedCycle.reaches': '上限まで上がっては約{period}ごとに再起動、現在{rate}で上昇中',
  'forecast.cappedCycle.below': '{level}{share}付近で頭打ち（上限未満）、約{period}ごとに再起動',

  'forecast.cycle.hourly': '1時間周期の変動',
  'forecast.cycle.daily': '1日周期の変動',
  'forecast.cycle.weekly': '1週間周期の変動',
  'forecast.cycle.other': '約{period}周期の変動',
  'forecast.cycle.hourlyCleanup': '1時間ごとのクリーンアップ',
  'forecast.cycle.dailyCleanup': '毎日のクリーンアップ',
  'forecast.cycle.weeklyCleanup': '毎週のクリーンアップ',
  'forecast.cycle.otherCleanup': '約{period}ごとのクリーンアップ',
  'forecast.peaks.flat': 'ピークは{level}付近で横ばい',
  'forecast.peaks.rising': 'ピークは{level}付近から{rate}で上昇',
  'forecast.peaks.falling': 'ピークは{level}付近から{rate}で低下',

  'forecast.uncertain': 'まだ判断できません: {why}。ただし残り{headroom}に対して、直近数時間を十分な精度で予測できたモデルがありません',
  'forecast.uncertainBrief': 'まだ判断できません: {why}',
  'forecast.uncertain.earliest': '早ければ{duration}で上限に達します',

  'forecast.outcome.full': '約{duration}で上限に達する見込み{band}',
  'forecast.outcome.notFull': '{horizon}以内に上限に達する見込みなし{earliest}',
  'forecast.outcome.atLimit': 'すでに上限に到達',
  'forecast.outcome.uncertain': 'まだ判断できません{earliest}',
  'forecast.outcome.unknown': '予測に必要な履歴が不足',
  'forecast.outcome.earliest': '（早ければ{duration}後の可能性あり）',
  'forecast.outcome.uncertainEarliest': '（早ければ{duration}で上限に到達）',
  'forecast.outcome.band': '（{low}〜{high}）',
  'forecast.outcome.bandFrom': '（{low}以上）',
  'forecast.outcome.bandUpTo': '（最長{high}）',
  'forecast.sentence.full': '約{duration}で上限に達する見込みです{band}',
  'forecast.sentence.notFull': '{horizon}以内に上限に達する見込みはありません{earliest}',
  'forecast.sentence.atLimit': 'すでに上限に達しています',
};
