import { compact } from '../text.normaliser';

/**
 * Everyday words for the card tags of data/cards.json, so a need phrased without the tag word
 * ("커피", "넷플릭스", "일본") still reaches the cards tagged for it. Matching is containment in
 * the query without spaces.
 */
const synonyms: Record<string, string[]> = {
  카페: ['커피', '스타벅스', '디저트', '베이커리'],
  배달: ['배민', '배달의민족', '요기요', '쿠팡이츠'],
  편의점: ['gs25', '세븐일레븐', '이마트24'],
  교통: ['버스', '지하철', '택시', '대중교통', '출퇴근'],
  쇼핑: ['온라인쇼핑', '백화점', '마트', '쿠팡', '직구'],
  통신: ['휴대폰', '핸드폰', '통신비', '요금제', '인터넷'],
  주유: ['기름', '주유소', '휘발유', '경유'],
  자동차: ['차량', '정비', '타이어', '하이패스'],
  여행: ['호텔', '항공', '비행기', '출장', '휴가', '유학', '트래블'],
  해외: ['외국', '직구', '환전', '일본', '미국', '유럽', '중국', '동남아', '출장', '유학'],
  마일리지: ['마일', '스카이패스', '대한항공', '아시아나'],
  프리미엄: ['라운지', 'vip', '컨시어지', '바우처'],
  의료: ['병원', '약국', '치과'],
  보험: ['보험료'],
  납부: ['공과금', '관리비', '세금', '자동납부'],
  렌탈: ['정수기', '안마의자', '비데', '공기청정기'],
  가전: ['냉장고', '세탁기', '전자제품', '하이마트'],
  교육: ['학원', '학습지', '교육비', '유치원'],
  구독: ['넷플릭스', 'ott', '유튜브', '멜론', '스트리밍'],
  포인트: ['적립'],
};

/** The tags a need text asks for through one of their everyday words. */
export function tagsBySynonym(need: string): string[] {
  const text = compact(need);
  return Object.entries(synonyms)
    .filter(([, words]) => words.some((word) => text.includes(word)))
    .map(([tag]) => tag);
}
