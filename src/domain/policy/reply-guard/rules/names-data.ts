/**
 * Word lists behind the name rule. FIRST_NAMES: given names common in the UK (ONS baby-name
 * tables and NHS workforce names, across generations and communities); a capitalised one in a
 * reply names someone. NOT_NAMES: words that are written with a capital but name no person
 * (days, months, organisations, roles, everyday words at the start of a sentence).
 */

const list = (text: string): Set<string> => new Set(text.trim().split(/\s+/).map((w) => w.toLowerCase()));

export const FIRST_NAMES = list(`
aaron abbie abby abdul abdullah abi abigail ada adam adebayo adele adrian ahmed aidan aiden aileen aisha alan alana albert alex
alexa alexander alexandra alfie ali alice alicia alison alistair amanda amara amber amelia amina amir amy ana andrea andrew andy
angela angus anita ann anna anne annette annie anthony anton antonia anya april archie arjun arthur asha ashley asif aurora ava
ayesha barbara barry beatrice becky ben benjamin bernadette bernard beth bethany betty bev beverley bill billy bilal brenda brian
bridget bryony callum cameron carl carla carly carmen carol caroline carys cath catherine cathy charlie charlotte chelsea chloe
chris christina christine christopher ciara claire clare colin connor craig dan daniel danielle darren daryl dave david dawn dean
debbie deborah declan deepak denise dennis derek diana diane dominic donna doreen dylan ebony eddie edward eileen elaine eleanor
elizabeth ella ellie elliot ellis emily emma eric erin ethan eve evelyn faisal fatima femi fiona frances francesca fraser freddie
freya gail gareth gary gavin gemma geoff george georgia gerald gillian gina glen glenda glenn gordon graham greg gwen hamza hannah
harriet harry harvey hassan hayley heidi helen henry holly howard hugh hussain ian imran irene isaac isabel isabella isla ivan jack
jackie jacob jade jake james jamie jan jane janet janice jasmine jason jayne jean jeff jenna jennifer jenny jeremy jess jessica jill
jim jo joan joanna joanne jodie joe joel john jon jonathan jordan joseph josh joshua joy joyce judith judy julia julie june justin
kamal karen karl kate katherine kathleen kathryn katie katy kay kayleigh keith kelly ken kerry kevin khalid kieran kim kirsty
kowalski kyle laura lauren leah lee leon leanne lesley leslie liam lily linda lindsay lisa liz lorna lorraine louise lucy luke
lydia lynn lynne mandy marcus margaret maria marie marion mark martin mary matt matthew maureen max maya megan mel melanie melissa
mia michael michelle mike mo mohammed mohammad mohamed molly muhammad nadia naomi natalie natasha neil nicola nicole nigel nina
noah nora olivia oliver omar owen paige pam pamela patricia patrick paul paula pauline peter phil philip phoebe pooja priya rachel
rajesh ravi rebecca rhys richard rita rob robert robin rosie ross ruth ryan sadia sally sam samantha samuel sandra sara sarah
scott sean shaun sharon sheila shirley simon sinead siobhan sophie stacey stella stephanie stephen steve steven stuart sue susan
suzanne tanya tara teresa terry thomas tim timothy tina toby tom tony tracey tracy trevor valerie vanessa vicky victoria vikram
vincent wayne wendy william yasmin yusuf zara zoe zainab zak
`);

/** Never a name on its own, whatever its capital: the reporter's stop words and the practice's own vocabulary. */
export const STOP_WORDS = list(`
a about after again all also am an and any are as at be because been before being but by can could did do does doing done
for from get got had has have he her here hers him his how i if in into is it its just me more most my no nor not now of off on
once only or other our ours out over own same she should so some such than thank thanks that the their theirs them then there
these they this those through to too under until up very was we were what when where which while who whom why will with would
yes yet you your yours yourself please hi hello dear regards best kind team practice surgery staff colleague colleagues doctor
doctors gp gps nurse nurses reception receptionist receptionists manager managers admin patient patients everyone someone
anyone nobody none unknown n/a na tbc none. etc dr mr mrs ms miss mx prof sister sir madam x xx name names person people
staff. him. her. she. he. they. them. sorry ok okay yeah yep nope nil
`);

/** Capitalised words in replies that are not people (checked before calling a word a name). */
export const NOT_NAMES = list(`
monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september october
november december spring summer autumn winter christmas easter ramadan eid diwali bank holiday nhs app website facebook google
twitter instagram tiktok trustpilot youtube whatsapp linkedin healthwatch pals cqc gmc bma lmc pcn icb england wales scotland
britain uk london primary care network patient participation group friends family test hospital trust council thank thanks
please we our you your the a an this that these those it is if as at in on of to for with from by and or but so hello hi dear
sorry unfortunately however also regards kind best wishes team practice surgery medical centre health clinic reception
manager doctor nurse pharmacist partner partners receptionist today tomorrow yesterday morning afternoon evening
i i'm we're we've we'll you're you've it's that's there's let's im ive
customer customers reviewer poster user users guest visitor visitors friend friends folks neighbour neighbours sir madam
practitioner practitioners associate associates specialist specialists consultant consultants lead leads prescriber
navigator navigators assistant assistants advisor adviser advisers coordinator administrator secretary secretaries services
service training day week month year hours line lines system app online portal website policy procedure leaflet form
network group board reviews review feedback survey standards guidance charter rota hub desk office room building car park
led locum locums registrar registrars trainee trainees student students apprentice volunteers volunteer officer officers
paramedic paramedics physiotherapist physio pharmacy dispensary dispenser dispensers admin administration management
director directors partner partners nursing clinical practice-based first contact mental health wellbeing social
`);

/** Names that are also everyday words ("Will", "Hope", "Brown"): a name only when capitalised mid-sentence. */
export const EVERYDAY_WORD_NAMES = new Set([
  'will', 'may', 'hope', 'grace', 'joy', 'faith', 'rose', 'mark', 'bill', 'frank', 'sue', 'jack', 'pat', 'dawn',
  'summer', 'april', 'june', 'august', 'ruby', 'amber', 'holly', 'ivy', 'iris', 'heather', 'daisy', 'lily',
  'rob', 'bob', 'don', 'guy', 'ray', 'sky', 'hunter', 'baker', 'brown', 'white', 'green', 'black', 'young',
  'king', 'hall', 'hill', 'wood', 'wells', 'stone', 'wise', 'rich', 'long', 'little', 'bell', 'cook', 'fisher',
  'mason', 'price', 'page', 'love', 'best', 'day', 'hart', 'law', 'moss', 'rice', 'reed', 'park', 'lane',
  'field', 'gray', 'grey', 'north', 'south', 'west', 'east', 'march', 'care', 'patient', 'hope', 'victory',
  'sterling', 'noble', 'sharp', 'swift', 'ward', 'banks', 'hay', 'read', 'chase', 'carter', 'dean', 'major',
  'earl', 'lord', 'bishop', 'abbott', 'church', 'marsh', 'ash', 'birch', 'gold', 'silver', 'cross', 'english',
  'french', 'welsh', 'scott', 'sweet', 'bright', 'hale', 'free', 'short', 'tall', 'small', 'large',
]);

/** Surnames common in the UK (ONS), for names typed in lower case after a title ("dr smith"). */
export const SURNAMES = list(`
smith jones williams taylor davies evans wilson thomas johnson roberts robinson thompson wright walker edwards hughes
lewis harris clarke patel jackson turner martin cooper morris moore clark lee baker harrison morgan allen james scott
phillips watson davis parker bennett griffiths mitchell kelly cook richardson bailey collins shaw murphy miller cox
richards khan marshall anderson simpson ellis adams singh begum wilkinson foster chapman powell webb rogers mason ali
hunt hussain campbell matthews owen palmer holmes mills barnes knight lloyd butler russell barker stevens jenkins murray
dixon harvey graham pearson ahmed fletcher walsh kaur gibson howard andrews stewart elliott reynolds saunders payne ford
pearce brooks lawrence cole atkinson bradley spencer gill dawson burton watts booth perry ryan grant armstrong rees hayes
hudson newman barrett webster gregory carr lowe riley dunn woods parsons berry reid holland hawkins harding porter
robertson newton oliver kennedy williamson gardner shah henderson parry burgess walton burns nicholson shepherd freeman
warren nicholls hamilton byrne sutton mcdonald yates hodgson robson curtis hopkins harper coleman watkins mccarthy
chambers griffin hardy wheeler potter osborne johnston gordon doyle wallace hutchinson rowe burke pritchard gilbert willis
higgins miles stevenson stephenson hammond arnold buckley walters hewitt barber nelson slater austin sullivan whitehead
frost lambert stephens blake akhtar lynch goodwin barton woodward thomson cunningham quinn barnett baxter bibi clayton
nash greenwood jennings holt kemp poole gallagher stokes tucker davidson fowler heath norman middleton lawson farrell
wong chen nguyen kumar sharma begum iqbal rahman uddin islam mahmood malik rashid mohammed okoro adeleke
`);
